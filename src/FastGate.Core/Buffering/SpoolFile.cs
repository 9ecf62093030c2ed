using Microsoft.Win32.SafeHandles;

namespace FastGate.Buffering;

/// <summary>
/// A temporary file a held response spills into, written at its end and read from its start. It is unlinked as soon
/// as it is created, so its space returns to the disk when the handle closes, even if the process dies.
/// </summary>
internal sealed class SpoolFile : IDisposable
{
    private static long s_lastId;
    private static int s_warned;

    private readonly SafeFileHandle _handle;
    private long _written;
    private long _read;
    /// <summary>Bytes of <see cref="SpoolBudget"/> this file holds: its largest size so far.</summary>
    private long _reserved;

    private SpoolFile(SafeFileHandle handle) => _handle = handle;

    /// <summary>Bytes written and not read back yet.</summary>
    public long Unread => _written - _read;

    /// <summary>The file's size: what it holds on disk.</summary>
    public long Length => _written;

    /// <summary>A new spool file in <paramref name="directory"/>, or null (reported once) when none can be made.</summary>
    public static SpoolFile? TryCreate(string directory)
    {
        var path = Path.Combine(directory, $"fastgate-spool-{Environment.ProcessId}-{Interlocked.Increment(ref s_lastId)}");
        try
        {
            var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
            File.Delete(path);
            return new SpoolFile(handle);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            if (Interlocked.Exchange(ref s_warned, 1) == 0)
                Telemetry.Logging.Log.Warn($"cannot spool responses to {directory} ({ex.Message}); slow clients get back-pressure instead");
            return null;
        }
    }

    /// <summary>
    /// Appends <paramref name="data"/> unless the file would pass <paramref name="maxLength"/>, the process's spool
    /// would pass <paramref name="maxTotal"/>, or the disk refuses it; on false nothing was appended.
    /// </summary>
    public bool TryAppend(ReadOnlySpan<byte> data, long maxLength, long maxTotal)
    {
        var end = _written + data.Length;
        if (end > maxLength) return false;
        if (end > _reserved)
        {
            if (!SpoolBudget.TryReserve(end - _reserved, maxTotal)) return false;
            _reserved = end;
        }
        try
        {
            RandomAccess.Write(_handle, data, _written);
            _written = end;
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Reads the next unread bytes into <paramref name="destination"/>; returns how many.</summary>
    public int Read(Span<byte> destination)
    {
        var wanted = (int)Math.Min(destination.Length, Unread);
        var read = wanted == 0 ? 0 : RandomAccess.Read(_handle, destination[..wanted], _read);
        _read += read;
        return read;
    }

    /// <summary>Everything was read back: the file is written again from its start.</summary>
    public void Rewind() => _written = _read = 0;

    public void Dispose()
    {
        _handle.Dispose();
        SpoolBudget.Release(_reserved);
        _reserved = 0;
    }
}
