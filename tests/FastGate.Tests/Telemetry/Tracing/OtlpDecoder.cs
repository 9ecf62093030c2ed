using System.Buffers.Binary;
using System.Text;

namespace FastGate.Tests.Telemetry.Tracing;

/// <summary>A span as a trace backend received it.</summary>
public sealed record ReceivedSpan(string TraceId, string SpanId, string ParentSpanId, string Name, int Kind,
    IReadOnlyDictionary<string, string> Attributes, string Service);

/// <summary>
/// Reads the spans out of an OTLP <c>ExportTraceServiceRequest</c> (protobuf wire format, only the fields the tests
/// look at), so the tests check what the exporter really sent without a protobuf code generator.
/// </summary>
internal static class OtlpDecoder
{
    public static List<ReceivedSpan> Decode(ReadOnlySpan<byte> request)
    {
        var spans = new List<ReceivedSpan>();
        foreach (var (field, resourceSpans) in Fields(request))
        {
            if (field != 1) continue; // resource_spans
            var service = "";
            foreach (var (f, value) in Fields(resourceSpans))
            {
                if (f == 1) service = Attributes(value).GetValueOrDefault("service.name", ""); // resource
            }
            foreach (var (f, scopeSpans) in Fields(resourceSpans))
            {
                if (f != 2) continue;
                foreach (var (g, span) in Fields(scopeSpans))
                    if (g == 2) spans.Add(Span(span, service));
            }
        }
        return spans;
    }

    private static ReceivedSpan Span(byte[] span, string service)
    {
        string trace = "", id = "", parent = "", name = "";
        var kind = 0;
        var attributes = new Dictionary<string, string>();
        foreach (var (field, value) in Fields(span))
        {
            switch (field)
            {
                case 1: trace = Convert.ToHexStringLower(value); break;
                case 2: id = Convert.ToHexStringLower(value); break;
                case 4: parent = Convert.ToHexStringLower(value); break;
                case 5: name = Encoding.UTF8.GetString(value); break;
                case 6: kind = (int)ReadVarint(value, 0, out _); break;
                case 9: foreach (var (k, v) in KeyValue(value)) attributes[k] = v; break;
            }
        }
        return new ReceivedSpan(trace, id, parent, name, kind, attributes, service);
    }

    private static Dictionary<string, string> Attributes(byte[] resource)
    {
        var attributes = new Dictionary<string, string>();
        foreach (var (field, value) in Fields(resource))
            if (field == 1) foreach (var (k, v) in KeyValue(value)) attributes[k] = v;
        return attributes;
    }

    private static IEnumerable<(string, string)> KeyValue(byte[] keyValue)
    {
        string key = "", text = "";
        foreach (var (field, value) in Fields(keyValue))
        {
            if (field == 1) key = Encoding.UTF8.GetString(value);
            if (field != 2) continue;
            foreach (var (f, v) in Fields(value)) // AnyValue
            {
                text = f switch
                {
                    1 => Encoding.UTF8.GetString(v),
                    2 or 3 => ReadVarint(v, 0, out _).ToString(),
                    4 => BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64LittleEndian(v)).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    _ => text,
                };
            }
        }
        yield return (key, text);
    }

    /// <summary>Each field of a message: varints and fixed values as their raw bytes re-encoded, length-delimited ones as their content.</summary>
    private static List<(int Field, byte[] Value)> Fields(ReadOnlySpan<byte> message)
    {
        var fields = new List<(int, byte[])>();
        var at = 0;
        while (at < message.Length)
        {
            var tag = ReadVarint(message, at, out at);
            var field = (int)(tag >> 3);
            switch ((int)(tag & 7))
            {
                case 0:
                    var start = at;
                    ReadVarint(message, at, out at);
                    fields.Add((field, message[start..at].ToArray()));
                    break;
                case 1: fields.Add((field, message.Slice(at, 8).ToArray())); at += 8; break;
                case 5: fields.Add((field, message.Slice(at, 4).ToArray())); at += 4; break;
                case 2:
                    var length = (int)ReadVarint(message, at, out at);
                    fields.Add((field, message.Slice(at, length).ToArray()));
                    at += length;
                    break;
                default: throw new InvalidDataException($"wire type {tag & 7} at {at}");
            }
        }
        return fields;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> data, int at, out int next)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = data[at++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) break;
        }
        next = at;
        return value;
    }
}
