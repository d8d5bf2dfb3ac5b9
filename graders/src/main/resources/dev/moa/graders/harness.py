# Trusted harness: runs inside the bubblewrap sandbox. It reads one JSON request on stdin
# ({"nonce", "mode", "code", "plan"}), applies resource limits, runs the candidate code with its
# output captured, records raw observations and writes ONE line "<nonce> <json>" on the saved
# original stdout. It never computes a score: all scoring is done in Java.
import io, json, math, os, resource, sys
from json import dumps as _dumps, loads as _loads

_write = os.write
_exit = os._exit


def _limits():
    mb = 1024 * 1024
    for res, val in ((resource.RLIMIT_CPU, 5), (resource.RLIMIT_AS, 512 * mb),
                     (resource.RLIMIT_NPROC, 64), (resource.RLIMIT_FSIZE, 1 * mb),
                     (resource.RLIMIT_CORE, 0)):
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


def _main():
    req = _loads(sys.stdin.buffer.read().decode("utf-8"))
    nonce, mode, code, plan = req["nonce"], req["mode"], req["code"], req["plan"]
    del req
    out_fd = os.dup(1)
    null_w = os.open("/dev/null", os.O_WRONLY)
    null_r = os.open("/dev/null", os.O_RDONLY)
    os.dup2(null_r, 0)
    os.dup2(null_w, 1)
    os.dup2(null_w, 2)
    sys.stdin = io.StringIO("")
    sys.stdout = _Cap()
    sys.stderr = _Cap()
    _limits()
    if os.path.isdir("/usr/lib/python3/dist-packages"):
        sys.path.append("/usr/lib/python3/dist-packages")  # e.g. dateutil, when installed
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
    line = (nonce + " " + _dumps(obs, allow_nan=False) + "\n").encode("utf-8")
    while line:
        line = line[_write(out_fd, line):]
    _exit(0)


_main()
