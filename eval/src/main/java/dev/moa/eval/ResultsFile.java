package dev.moa.eval;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The append-only {@code results.jsonl} of a run: one {@link ResultLine} per sample, the journal a
 * resumed run continues from. Lines are written whole and flushed one at a time, so a killed writer
 * leaves at most a truncated last line, which {@link #open} drops. The file is locked while open so
 * that two runs cannot interleave their lines.
 */
public final class ResultsFile implements AutoCloseable {

  private final Path file;
  private final FileChannel channel;
  private final FileLock lock;
  private final Map<String, ResultLine> existing;
  private final List<ResultLine> all;
  private final Set<String> ids;
  private boolean closed;

  private ResultsFile(
      Path file, FileChannel channel, FileLock lock, Map<String, ResultLine> existing) {
    this.file = file;
    this.channel = channel;
    this.lock = lock;
    this.existing = Collections.unmodifiableMap(existing);
    this.all = new ArrayList<>(existing.values());
    this.ids = new HashSet<>(existing.keySet());
  }

  /**
   * Opens (creating if needed) a results file for appending. A truncated or unparseable last line
   * (a killed writer) is dropped and the file truncated to the last good line.
   *
   * @throws IOException when the file cannot be read or written, is in use by another writer, or a
   *     line other than the last is not a valid result line (the message names the line)
   */
  public static ResultsFile open(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    FileChannel channel =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    try {
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        throw new IOException("results file " + file + " is already open in another writer");
      }
      byte[] bytes = readAll(channel);
      Scan scan = scan(file, bytes);
      if (scan.goodEnd < bytes.length) {
        channel.truncate(scan.goodEnd);
      }
      channel.position(channel.size());
      if (scan.goodEnd > 0 && bytes[scan.goodEnd - 1] != '\n') {
        // A complete last line that lost its newline: finish it before appending.
        write(channel, new byte[] {'\n'});
      }
      return new ResultsFile(file, channel, lock, scan.byId);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /**
   * Reads a results file without opening it for writing (for summaries and reports). A truncated
   * last line is ignored; a bad line elsewhere is an error.
   *
   * @throws IOException when it cannot be read or a line other than the last is bad
   */
  public static List<ResultLine> read(Path file) throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(file.toString(), null, "results file does not exist");
    }
    return List.copyOf(scan(file, bytes).byId.values());
  }

  /** What the file held when it was opened, by sample id (the first line of an id wins). */
  public Map<String, ResultLine> existing() {
    return existing;
  }

  /**
   * Appends a line unless its id is already in the file; the line is flushed to the file before
   * this returns.
   *
   * @return false, writing nothing, when the id is already present
   */
  public synchronized boolean append(ResultLine line) throws IOException {
    if (closed) {
      throw new IllegalStateException("results file " + file + " is closed");
    }
    if (ids.contains(line.id())) {
      return false;
    }
    byte[] bytes = (line.toJson() + "\n").getBytes(StandardCharsets.UTF_8);
    write(channel, bytes);
    ids.add(line.id());
    all.add(line);
    return true;
  }

  /** Every line, existing then appended, in file order, one per id. */
  public synchronized List<ResultLine> all() {
    return List.copyOf(all);
  }

  public Path path() {
    return file;
  }

  /** Forces the lines to disk and releases the file. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      channel.force(false);
    } catch (IOException e) {
      // the lines were written; a failed fsync at close is not worth failing the run for
    }
    try {
      lock.release();
    } catch (IOException e) {
      // closing the channel releases it too
    }
    try {
      channel.close();
    } catch (IOException e) {
      // nothing left to do
    }
  }

  private static void write(FileChannel channel, byte[] bytes) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
  }

  private static byte[] readAll(FileChannel channel) throws IOException {
    long size = channel.size();
    if (size > Integer.MAX_VALUE - 16) {
      throw new IOException("results file too large: " + size + " bytes");
    }
    ByteBuffer buffer = ByteBuffer.allocate((int) size);
    channel.position(0);
    while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
      // keep reading
    }
    return buffer.array();
  }

  private record Scan(Map<String, ResultLine> byId, int goodEnd) {}

  /**
   * Parses the lines; goodEnd is the byte offset just after the last good line (a bad last line is
   * excluded).
   */
  private static Scan scan(Path file, byte[] bytes) throws IOException {
    Map<String, ResultLine> byId = new LinkedHashMap<>();
    int goodEnd = 0;
    int start = 0;
    int lineNo = 0;
    while (start < bytes.length) {
      int nl = indexOf(bytes, (byte) '\n', start);
      int end = nl < 0 ? bytes.length : nl;
      int next = nl < 0 ? bytes.length : nl + 1;
      lineNo++;
      String text = new String(bytes, start, end - start, StandardCharsets.UTF_8);
      if (text.isBlank()) {
        if (goodEnd == start) {
          goodEnd = next;
        }
        start = next;
        continue;
      }
      ResultLine parsed;
      try {
        parsed = ResultLine.parse(text);
      } catch (IllegalArgumentException e) {
        boolean last = isBlank(bytes, next);
        if (last) {
          break;
        }
        throw new IOException(
            "results file " + file + " line " + lineNo + " is not a result line: " + e.getMessage(),
            e);
      }
      byId.putIfAbsent(parsed.id(), parsed);
      goodEnd = next;
      start = next;
    }
    return new Scan(byId, goodEnd);
  }

  private static boolean isBlank(byte[] bytes, int from) {
    for (int i = from; i < bytes.length; i++) {
      byte b = bytes[i];
      if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
        return false;
      }
    }
    return true;
  }

  private static int indexOf(byte[] bytes, byte b, int from) {
    for (int i = from; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }
}
