using System.Runtime.InteropServices;

namespace FastGate.Telemetry.Logging;

/// <summary>
/// Where a log's lines go: standard output, standard error, or a file opened for appending (<c>O_APPEND</c>, so
/// lines land at the end even when something else appends too) that <see cref="Reopen"/> opens again by name after
/// logrotate has moved it. Only the sink's writer thread uses it; a write blocks that thread, never a request.
/// </summary>
internal sealed partial class LogOutput : IDisposable
{
    public const string Stdout = "stdout";
    public const string Stderr = "stderr";

    private const int StdoutFd = 1;
    private const int StderrFd = 2;
    private const int O_WRONLY = 0x1, O_CREAT = 0x40, O_APPEND = 0x400, O_CLOEXEC = 0x80000;
    private const int EINTR = 4, EAGAIN = 11;
    private const int FileMode644 = 0b110_100_100;

    private readonly string _target;
    private int _fd = -1;
    private FileStream? _stream;

    /// <param name="target"><see cref="Stdout"/>, <see cref="Stderr"/> or a file path.</param>
    public LogOutput(string target) => _target = target;

    public string Target => _target;

    public bool IsFile => _target is not (Stdout or Stderr);

    public bool IsOpen => _fd >= 0 || _stream is not null;

    /// <summary>Opens the output (a file is created when missing); null when it worked, else why not.</summary>
    public string? Open()
    {
        Close();
        if (!IsFile)
        {
            _fd = _target == Stdout ? StdoutFd : StderrFd;
            return null;
        }
        try
        {
            if (!OperatingSystem.IsLinux())
            {
                _stream = new FileStream(_target, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
                return null;
            }
            int fd;
            do fd = open(_target, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, FileMode644);
            while (fd < 0 && Marshal.GetLastPInvokeError() == EINTR);
            if (fd < 0) return $"{Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())} (errno {Marshal.GetLastPInvokeError()})";
            _fd = fd;
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ex.Message;
        }
    }

    /// <summary>Closes a file and opens its path again, so writes go to a new file once the old one was renamed.</summary>
    public string? Reopen() => IsFile ? Open() : null;

    /// <summary>Writes all of <paramref name="bytes"/> (blocking); null when it worked, else why not.</summary>
    public unsafe string? Write(ReadOnlySpan<byte> bytes)
    {
        if (_stream is { } stream)
        {
            try
            {
                stream.Write(bytes);
                return null;
            }
            catch (IOException ex)
            {
                return ex.Message;
            }
        }
        if (_fd < 0) return "not open";
        fixed (byte* start = bytes)
        {
            var done = 0;
            while (done < bytes.Length)
            {
                var written = write(_fd, start + done, bytes.Length - done);
                if (written > 0)
                {
                    done += (int)written;
                    continue;
                }
                var errno = Marshal.GetLastPInvokeError();
                if (written < 0 && errno == EINTR) continue;
                // A non-blocking descriptor inherited as stdout: wait for room rather than lose the lines.
                if (written < 0 && errno == EAGAIN)
                {
                    Thread.Sleep(1);
                    continue;
                }
                return $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";
            }
        }
        return null;
    }

    private void Close()
    {
        _stream?.Dispose();
        _stream = null;
        if (_fd > StderrFd) close(_fd);
        _fd = -1;
    }

    public void Dispose() => Close();

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags, int mode);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint write(int fd, byte* buffer, nint count);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);
}
