using System.Text.Json;
using FastGate.Caching;
using FastGate.Configuration;
using Microsoft.AspNetCore.Http;

namespace FastGate.Host.Admin;

/// <summary><c>POST /admin/cache/purge</c>: <c>{"url": ...}</c>, <c>{"prefix": ...}</c>, <c>{"glob": ...}</c> or <c>{"tag": ...}</c>.</summary>
internal static class CachePurge
{
    public static async Task<IResult> HandleAsync(HttpRequest request, ConfigReloader config)
    {
        PurgeBody? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync(request.Body, AdminJsonContext.Default.PurgeBody, request.HttpContext.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            return Error($"not JSON: {ex.Message}");
        }
        if (body is null) return Error("expected {\"url\": ...}, {\"prefix\": ...}, {\"glob\": ...} or {\"tag\": ...}");
        var given = new List<(PurgeKind Kind, string Value)>();
        if (body.Url is { } url) given.Add((PurgeKind.Url, url));
        if (body.Prefix is { } prefix) given.Add((PurgeKind.Prefix, prefix));
        if (body.Glob is { } glob) given.Add((PurgeKind.Glob, glob));
        if (body.Tag is { } tag) given.Add((PurgeKind.Tag, tag));
        if (given.Count != 1) return Error("give exactly one of \"url\", \"prefix\", \"glob\", \"tag\"");
        var (kind, value) = given[0];
        if (PurgeRequest.Parse(kind, value, out var error) is not { } purge) return Error(error!);
        var result = await config.Cache.PurgeAsync(purge).ConfigureAwait(false);
        Console.Out.WriteLine($"cache purge {purge.Message}: {result.Removed} removed from memory" +
            (result.L2Removed is { } l2 ? $", {(l2 < 0 ? "Redis unreachable" : $"{l2} from Redis")}" : ""));
        return Results.Json(new PurgeReport(PurgeRequest.KindNames[(int)kind], value, result.Removed, result.L2Removed, result.Published),
            AdminJsonContext.Default.PurgeReport);
    }

    private static IResult Error(string message) => Results.Json(new AdminError(message), AdminJsonContext.Default.AdminError, statusCode: 400);
}
