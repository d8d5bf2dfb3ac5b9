# Trusted zygote: PID 1 of one bubblewrap sandbox (bwrap --as-pid-1), serving gradings one at a time.
#
# Protocol with Java (the only writer of our stdin, the only reader of our stdout):
#   startup: we print "MOA-READY" once the sandbox is set up.
#   request: one line "<nonce> <json>", json = {"mode", "code", "plan"}. We never parse it: the
#            child does (every page we write after a fork costs a copy-on-write fault).
#   answer:  "<nonce> R <observations>" (the candidate process's raw observations, one JSON line,
#            parsed and scored in Java) or "<nonce> B <why there are none>", then
#            "<nonce> C" once the sandbox is clean again, or "<nonce> D <why>" when it could not be
#            cleaned and must be discarded.
#
# Per grading, a child forked from this clean process (it never ran untrusted code) drops every
# descriptor but two private pipes, applies the limits, runs the candidate with its output captured
# and writes "<token> <observations>" on its report pipe. The token is created after the child was
# forked, so the child never saw it in memory before it receives it with the request. We are not
# dumpable, so no candidate can read our memory or open our descriptors through /proc, and as PID 1
# we cannot be killed from inside the namespace. After each grading every other process of the
# namespace is killed and reaped, /tmp is emptied and SysV IPC objects are refused (dirty).
import ctypes, gc, io, json, math, os, resource, signal, sys

_write = os.write
_exit = os._exit
_dumps = json.dumps
_loads = json.loads
MAX_REPORT = 1024 * 1024
TMP = "/tmp"


def _limits():
    mb = 1024 * 1024
    for res, val in ((resource.RLIMIT_CPU, 5), (resource.RLIMIT_AS, 512 * mb),
                     (resource.RLIMIT_NPROC, 64), (resource.RLIMIT_FSIZE, 1 * mb),
                     (resource.RLIMIT_CORE, 0), (getattr(resource, "RLIMIT_MSGQUEUE", None), 0)):
        if res is not None:
            resource.setrlimit(res, (val, val))


class _Cap(io.TextIOBase):
    def __init__(self):
        self.n = 0
    def write(self, s):
        self.n += len(s)
        return len(s)
    def writable(self):
        return True


def _conv(v, depth=0):
    t = type(v)
    if v is None or t is bool or t is str or t is int:
        return v
    if t is float:
        return v if math.isfinite(v) else "<float:" + ("nan" if v != v else ("inf" if v > 0 else "-inf")) + ">"
    if depth > 20:
        return "<too-deep>"
    if t is list or t is tuple:
        return [_conv(x, depth + 1) for x in v[:1000]]
    if t is dict:
        out = {}
        for k, x in list(v.items())[:1000]:
            out[k if type(k) is str else "<key:" + type(k).__name__ + ">"] = _conv(x, depth + 1)
        return out
    return "<opaque:" + t.__name__ + ">"


def _err(e):
    return type(e).__name__ + ": " + str(e)[:200]


def _read_all(fd):
    chunks = []
    while True:
        c = os.read(fd, 65536)
        if not c:
            return b"".join(chunks)
        chunks.append(c)


def _write_all(fd, data):
    while data:
        data = data[_write(fd, data):]


def _child(req_r, rep_w):
    """Runs in the forked child: the only place candidate code ever runs."""
    null = os.open("/dev/null", os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    keep = {0, 1, 2, req_r, rep_w}
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass
    sys.stdin = io.StringIO("")
    sys.stdout = _Cap()
    sys.stderr = _Cap()
    token, _, data = _read_all(req_r).partition(b" ")
    os.close(req_r)
    token = token.decode("ascii")
    req = _loads(data.decode("utf-8"))
    mode, code, plan = req["mode"], req["code"], req["plan"]
    del req, data
    _limits()
    obs = {"mode": mode, "load": {"ok": True, "error": None}, "calls": [], "asserts": []}
    ns = {"__name__": "candidate"}
    try:
        exec(compile(code, "<candidate>", "exec"), ns)
    except BaseException as e:
        obs["load"] = {"ok": False, "error": _err(e)}
    fname = plan.get("function")
    fn = ns.get(fname) if fname else None
    if obs["load"]["ok"] and fname and not callable(fn):
        obs["load"] = {"ok": False, "error": "function " + fname + " is not defined"}
    for call in plan.get("calls", []):
        rec = {"id": call["id"], "ok": False, "error": None, "result": None, "args_after": None}
        if not callable(fn):
            rec["error"] = "function not available"
        else:
            args = _loads(_dumps(call["args"]))
            try:
                res = fn(*args)
                rec["ok"] = True
                rec["result"] = _conv(res)
            except BaseException as e:
                rec["error"] = _err(e)
            try:
                rec["args_after"] = _conv(args)
            except BaseException as e:
                rec["args_after"] = "<unconvertible>"
        obs["calls"].append(rec)
    for src in plan.get("asserts", []):
        rec = {"ok": False, "error": None}
        if obs["load"]["ok"]:
            try:
                exec(compile(src, "<assert>", "exec"), ns)
                rec["ok"] = True
            except BaseException as e:
                rec["error"] = _err(e)
        else:
            rec["error"] = "code did not load"
        obs["asserts"].append(rec)
    _write_all(rep_w, (token + " " + _dumps(obs, allow_nan=False) + "\n").encode("utf-8"))
    _exit(0)


def _collect(rep_r, token):
    """The child's report line (bytes), or (None, reason). Reads at most MAX_REPORT bytes."""
    prefix = token + b" "
    buf = b""
    total = 0
    while True:
        c = os.read(rep_r, 65536)
        if not c:
            return None, None
        total += len(c)
        if total > MAX_REPORT:
            return None, "output limit of %d bytes exceeded" % MAX_REPORT
        buf += c
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            if line.startswith(prefix):
                return line[len(prefix):], None


def _describe(status):
    if status is None:
        return "no status"
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = str(sig)
        limit = {"SIGXCPU": ", CPU limit", "SIGKILL": ", killed", "SIGXFSZ": ", file size limit",
                 "SIGSEGV": ", crashed"}.get(name, "")
        return "killed by signal %s%s" % (name, limit)
    return "exit code %d" % os.WEXITSTATUS(status)


def _kill_all(child):
    """Kills and reaps every process of the namespace but us; returns the child's wait status."""
    status = None
    while True:
        try:
            os.kill(-1, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            pid, st = os.waitpid(-1, 0)
        except ChildProcessError:
            return status
        if pid == child:
            status = st


def _wipe(path):
    for entry in os.scandir(path):
        p = entry.path
        if entry.is_dir(follow_symlinks=False):
            os.chmod(p, 0o700)
            _wipe(p)
            os.rmdir(p)
        else:
            os.unlink(p)


def _clean(tmp_mode):
    problems = []
    try:
        os.chmod(TMP, 0o700)
        _wipe(TMP)
        os.chmod(TMP, tmp_mode)
    except OSError as e:
        problems.append("cannot empty /tmp: " + _err(e))
    others = [p for p in os.listdir("/proc") if p.isdigit() and p != "1"]
    if others:
        problems.append("processes left: " + ",".join(others))
    for kind in ("shm", "msg", "sem"):
        try:
            with open("/proc/sysvipc/" + kind) as f:
                if len(f.read().splitlines()) > 1:
                    problems.append("SysV " + kind + " objects left")
        except OSError:
            pass
    return "; ".join(problems) or None


def _serve():
    if os.getpid() != 1:
        sys.stderr.write("harness: must run as PID 1 (bwrap --as-pid-1)\n")
        _exit(3)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(4, 0, 0, 0, 0) != 0:  # PR_SET_DUMPABLE = 0
        sys.stderr.write("harness: prctl(PR_SET_DUMPABLE) failed: errno %d\n" % ctypes.get_errno())
        _exit(3)
    if os.path.isdir("/usr/lib/python3/dist-packages"):
        sys.path.append("/usr/lib/python3/dist-packages")  # e.g. dateutil, when installed
    # What candidates import most, loaded once here instead of in every child.
    import datetime, heapq, typing
    datetime.datetime.strptime("2024-01-01", "%Y-%m-%d")
    tmp_mode = os.stat(TMP).st_mode & 0o7777
    gc.collect()
    gc.freeze()
    stdin = sys.stdin.buffer
    _write_all(1, b"MOA-READY\n")
    while True:
        req_r, req_w = os.pipe()
        rep_r, rep_w = os.pipe()
        child = os.fork()
        if child == 0:
            try:
                os.close(req_w)
                os.close(rep_r)
                _child(req_r, rep_w)
            finally:
                _exit(70)
        os.close(req_r)
        os.close(rep_w)
        line = stdin.readline()
        if not line:
            _kill_all(child)
            _exit(0)
        nonce, _, request = line.partition(b" ")
        token = os.urandom(24).hex().encode("ascii")
        try:
            _write_all(req_w, token + b" " + request)
        except OSError:
            pass  # the child died before reading: reported below
        os.close(req_w)
        del line, request
        report, broken = _collect(rep_r, token)
        os.close(rep_r)
        if report is not None:
            _write_all(1, nonce + b" R " + report + b"\n")
        status = _kill_all(child)
        if report is None:
            if broken is None:
                broken = "no valid harness report (" + _describe(status) + ")"
            _write_all(1, nonce + b" B " + broken.replace("\n", " ").encode("utf-8") + b"\n")
        dirty = _clean(tmp_mode)
        if dirty is None:
            _write_all(1, nonce + b" C\n")
        else:
            _write_all(1, nonce + b" D " + dirty.replace("\n", " ").encode("utf-8") + b"\n")
            _exit(0)


_serve()
