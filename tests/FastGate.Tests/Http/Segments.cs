using System.Buffers;
using System.Text;

namespace FastGate.Tests.Http;

/// <summary>Builds multi-segment sequences, the way a pipe may hand bytes over.</summary>
internal static class Segments
{
    public static byte[] Ascii(string s) => Encoding.Latin1.GetBytes(s);

    /// <summary>The bytes split into segments at the given offsets.</summary>
    public static ReadOnlySequence<byte> Split(byte[] data, params int[] cuts)
    {
        var bounds = new List<int> { 0 };
        foreach (var c in cuts) if (c > bounds[^1] && c < data.Length) bounds.Add(c);
        bounds.Add(data.Length);
        Segment? first = null, last = null;
        for (var i = 0; i + 1 < bounds.Count; i++)
        {
            var memory = data.AsMemory(bounds[i], bounds[i + 1] - bounds[i]);
            if (first is null) first = last = new Segment(memory, 0);
            else last = last!.Append(memory);
        }
        if (first is null) return ReadOnlySequence<byte>.Empty;
        return new ReadOnlySequence<byte>(first, 0, last!, last!.Memory.Length);
    }

    /// <summary>Every byte in its own segment.</summary>
    public static ReadOnlySequence<byte> Bytewise(byte[] data) => Split(data, Enumerable.Range(1, Math.Max(0, data.Length - 1)).ToArray());

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
