using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using FastGate.Host.Admin;

namespace FastGate.Host;

/// <summary>
/// <c>fastgate purge --admin URL [--token T] (--url U | --prefix P | --glob G | --tag T)</c>: asks a running gateway's
/// admin listener to purge (<c>POST /admin/cache/purge</c>) and prints its answer. Exit 0 on success, 1 when the
/// gateway refused or could not be reached, 2 for bad arguments.
/// </summary>
internal static class PurgeCommand
{
    private const string Usage = """
          fastgate purge --admin URL [--token T] --url U | --prefix P | --glob G | --tag T
                                         purge the response cache of a running gateway (and, through
                                         Redis, of every instance sharing it)
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        string? admin = null, token = Environment.GetEnvironmentVariable("FASTGATE_ADMIN_TOKEN");
        PurgeBody? body = null;
        var count = 0;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--admin" when value is not null: admin = value; break;
                case "--token" when value is not null: token = value; break;
                case "--url" when value is not null: body = new PurgeBody(Url: value); count++; break;
                case "--prefix" when value is not null: body = new PurgeBody(Prefix: value); count++; break;
                case "--glob" when value is not null: body = new PurgeBody(Glob: value); count++; break;
                case "--tag" when value is not null: body = new PurgeBody(Tag: value); count++; break;
                default:
                    return Fail($"unknown or incomplete argument '{args[i]}'");
            }
            i++;
        }
        if (admin is null || !Uri.TryCreate(admin, UriKind.Absolute, out var address)) return Fail("--admin http://HOST:PORT is required");
        if (count != 1 || body is null) return Fail("give exactly one of --url, --prefix, --glob, --tag");

        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        if (!string.IsNullOrEmpty(token)) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        try
        {
            using var response = await http.PostAsJsonAsync("/admin/cache/purge", body, AdminJsonContext.Default.PurgeBody).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                Console.WriteLine(text.Trim());
                return 0;
            }
            Console.Error.WriteLine($"fastgate purge: {(int)response.StatusCode} {response.ReasonPhrase}: {text.Trim()}");
            return 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            Console.Error.WriteLine($"fastgate purge: cannot reach {address}: {ex.Message}");
            return 1;
        }
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"fastgate purge: {message}\n\nUsage:\n{Usage}");
        return 2;
    }
}
