using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace FastGate.Transport;

/// <summary>Writes an <see cref="IPEndPoint"/> as the kernel's struct sockaddr_in / sockaddr_in6.</summary>
internal static class NativeSocketAddress
{
    public const int MaxSize = 28;

    /// <summary>Returns the number of bytes written (16 or 28).</summary>
    public static int Write(IPEndPoint endPoint, Span<byte> buffer)
    {
        buffer[..MaxSize].Clear();
        if (endPoint.AddressFamily == AddressFamily.InterNetwork)
        {
            // sa_family (host order), sin_port (network order), sin_addr, padding
            BinaryPrimitives.WriteUInt16LittleEndian(buffer, LibC.AF_INET);
            BinaryPrimitives.WriteUInt16BigEndian(buffer[2..], (ushort)endPoint.Port);
            endPoint.Address.TryWriteBytes(buffer[4..8], out _);
            return 16;
        }
        if (endPoint.AddressFamily == AddressFamily.InterNetworkV6)
        {
            // sa_family, sin6_port, sin6_flowinfo, sin6_addr, sin6_scope_id
            BinaryPrimitives.WriteUInt16LittleEndian(buffer, LibC.AF_INET6);
            BinaryPrimitives.WriteUInt16BigEndian(buffer[2..], (ushort)endPoint.Port);
            endPoint.Address.TryWriteBytes(buffer[8..24], out _);
            BinaryPrimitives.WriteUInt32LittleEndian(buffer[24..], (uint)endPoint.Address.ScopeId);
            return 28;
        }
        throw new NotSupportedException($"cannot connect to {endPoint}: not an IP address");
    }
}
