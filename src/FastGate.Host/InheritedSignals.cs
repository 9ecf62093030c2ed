using System.Runtime.InteropServices;

namespace FastGate.Host;

/// <summary>
/// Signals the gateway handles must not stay ignored because its parent ignored them: <c>nohup</c> (and some
/// service wrappers) start it with SIGHUP ignored, the process inherits that, and .NET then leaves the signal
/// ignored rather than deliver it to a <see cref="PosixSignalRegistration"/>, so SIGHUP would not reload. As nginx
/// does, the gateway takes the signal back; call this just before registering for it.
/// </summary>
internal static class InheritedSignals
{
    public const int SigHup = 1;
    private const nint DefaultAction = 0; // SIG_DFL

    public static void Reclaim(int signal)
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) _ = Signal(signal, DefaultAction);
    }

    [DllImport("libc", EntryPoint = "signal")]
    private static extern nint Signal(int signal, nint handler);
}
