using System.Buffers;
using System.Text.Json;
using FastGate.Http;

namespace FastGate.Tests.Http;

/// <summary>
/// Plays the upstream responses of ../shared/conformance/responses-llhttp.jsonl through the response parser and
/// the body framing it chooses, with the bytes arriving whole and split at every offset, and compares the
/// outcome with llhttp's strict-mode verdict.
/// </summary>
public class ResponseCorpusTests
{
    /// <summary>Where FastGate is deliberately stricter than llhttp; each answers 502 instead.</summary>
    private static readonly Dictionary<string, string> StricterThanLlhttp = new()
    {
        ["llhttp-resp-042"] = "HTTP/5.6 is not an HTTP/1.x response",
        ["llhttp-resp-045"] = "RTSP is not HTTP",
        ["llhttp-resp-046"] = "ICE is not HTTP",
        ["llhttp-resp-061"] = "HTTP/0.9 has no status line to relay",
        ["llhttp-resp-073"] = "obs-fold in a response: RFC 9112 §5.2 lets a proxy reject it",
        ["llhttp-resp-031"] = "bare CR after the status line: accepted only by llhttp's lenient flags",
        ["llhttp-resp-039"] = "LF-only line endings: accepted only by llhttp's lenient flags",
        ["llhttp-resp-041"] = "LF-only line endings: accepted only by llhttp's lenient flags",
        ["llhttp-resp-055"] = "LF-only line endings: accepted only by llhttp's lenient flags",
    };

    /// <summary>llhttp reads a body after a 101; a proxy tunnels every byte after the 101 head instead.</summary>
    private static readonly HashSet<string> SwitchesProtocols = ["llhttp-resp-010", "llhttp-resp-011"];

    public static IEnumerable<object[]> Cases()
    {
        var path = Path.Combine(TestPaths.RepoRoot(), "..", "shared", "conformance", "responses-llhttp.jsonl");
        foreach (var line in File.ReadLines(path))
            if (!string.IsNullOrWhiteSpace(line)) yield return [JsonDocument.Parse(line).RootElement.GetProperty("id").GetString()!, line];
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesTheCorpusVerdict(string id, string json)
    {
        var c = JsonDocument.Parse(json).RootElement;
        var data = Convert.FromBase64String(c.GetProperty("raw_b64").GetString()!);
        var verdict = c.GetProperty("llhttp_verdict").GetString();
        var expected = c.GetProperty("messages").EnumerateArray().ToList();

        var whole = ResponseStream.Play(data, [data.Length]);
        for (var cut = 1; cut < data.Length; cut++)
            Assert.Equal(whole.ToString(), ResponseStream.Play(data, [cut, data.Length]).ToString());

        if (StricterThanLlhttp.ContainsKey(id))
        {
            Assert.Equal(StreamEnd.Rejected, whole.End);
            return;
        }

        if (SwitchesProtocols.Contains(id))
        {
            Assert.Equal(StreamEnd.Closed, whole.End);
            Assert.Equal(101, Assert.Single(whole.Messages).Status);
            return;
        }

        switch (verdict)
        {
            case "reject":
                // llhttp's "data after Connection: close" is, for a proxy, data it never reads: the connection is dropped.
                var afterClose = c.GetProperty("llhttp_error").GetProperty("code").GetInt32() == 5;
                Assert.Equal(afterClose ? StreamEnd.Closed : StreamEnd.Rejected, whole.End);
                break;
            case "accept":
                // Closed: the response said Connection: close, so the proxy reads no further
                Assert.Contains(whole.End, new[] { StreamEnd.Done, StreamEnd.Closed });
                AssertMessages(expected, whole.Messages, expected.Count);
                break;
            default: // "incomplete", "accept-then-incomplete": the last message has no end yet
                Assert.NotEqual(StreamEnd.Rejected, whole.End);
                var complete = expected.Count(m => m.GetProperty("complete").GetBoolean());
                AssertMessages(expected, whole.Messages, complete);
                break;
        }
    }

    private static void AssertMessages(List<JsonElement> expected, List<Message> actual, int count)
    {
        Assert.True(actual.Count >= count, $"{actual.Count} message(s) parsed, {count} expected");
        for (var i = 0; i < count; i++)
        {
            var e = expected[i];
            Assert.Equal(e.GetProperty("status").GetInt32(), actual[i].Status);
            var headers = e.GetProperty("headers").EnumerateArray().Select(h => $"{h[0].GetString()}: {h[1].GetString()}");
            Assert.Equal(string.Join("\n", headers), actual[i].Headers);
            Assert.Equal(e.GetProperty("body_b64").GetString(), Convert.ToBase64String(actual[i].Body));
        }
    }
}

internal enum StreamEnd { Done, Incomplete, Closed, Rejected }

internal sealed record Message(int Status, string Headers, byte[] Body);

internal sealed record StreamOutcome(StreamEnd End, List<Message> Messages)
{
    public override string ToString() => End + ": " + string.Join(" | ", Messages.Select(m => $"{m.Status} [{m.Headers}] {Convert.ToBase64String(m.Body)}"));
}

/// <summary>Reads consecutive responses off one upstream connection the way the proxy does, as bytes arrive.</summary>
internal static class ResponseStream
{
    public static StreamOutcome Play(byte[] data, int[] arrivals)
    {
        var messages = new List<Message>();
        var parser = new Http1ResponseParser();
        var head = new ResponseHead();
        var offset = 0;
        var arrival = 0;
        var available = arrivals[0];

        bool More()
        {
            if (available == data.Length) return false;
            available = arrivals[++arrival];
            return true;
        }

        while (true)
        {
            if (offset == available && !More()) return new(StreamEnd.Done, messages);
            var status = parser.TryParse(new ReadOnlySequence<byte>(data, offset, available - offset), head, HttpMethod.Get, 64 * 1024, out var consumed);
            if (status == ParseStatus.Error) return new(StreamEnd.Rejected, messages);
            if (status == ParseStatus.Incomplete)
            {
                if (!More()) return new(StreamEnd.Incomplete, messages);
                continue;
            }
            offset += consumed;
            var headers = string.Join("\n", Enumerable.Range(0, head.FieldCount).Select(i =>
                $"{RequestFeeder.Text(head.Name(i))}: {RequestFeeder.Text(head.Value(i))}"));
            var body = new ArrayBufferWriter<byte>();
            switch (head.Framing)
            {
                case ResponseFraming.ContentLength:
                    while (available - offset < head.ContentLength)
                        if (!More()) return new(StreamEnd.Incomplete, messages);
                    body.Write(data.AsSpan(offset, (int)head.ContentLength));
                    offset += (int)head.ContentLength;
                    break;
                case ResponseFraming.Chunked:
                    var decoder = new ChunkedDecoder();
                    decoder.Reset();
                    while (true)
                    {
                        var input = new ReadOnlySequence<byte>(data, offset, available - offset);
                        var result = decoder.Decode(input, body, reframe: false, 64 * 1024, out var used);
                        offset += (int)input.Slice(0, used).Length;
                        if (result == ParseStatus.Error) return new(StreamEnd.Rejected, messages);
                        if (result == ParseStatus.Complete) break;
                        if (!More()) return new(StreamEnd.Incomplete, messages);
                    }
                    break;
                case ResponseFraming.CloseDelimited:
                    return new(StreamEnd.Incomplete, [.. messages, new Message(head.StatusCode, headers, data[offset..])]);
            }
            messages.Add(new Message(head.StatusCode, headers, body.WrittenSpan.ToArray()));
            if (!head.KeepAlive || head.StatusCode == 101) return new(StreamEnd.Closed, messages);
        }
    }
}
