using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace FastGate.Host.Admin.Dashboard;

/// <summary>
/// The live dashboard at <c>/</c>: an HTML page, its script and style sheet, embedded in the binary (so the
/// Native AOT build and an offline machine serve them alike). They hold no data, so they need no token; the page
/// sends the token with its own calls to <c>/admin/stats</c> and <c>/admin/upstreams</c>.
/// </summary>
internal static class DashboardAssets
{
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly DashboardAsset[] All =
    [
        Load("/", "index.html", "text/html; charset=utf-8"),
        Load("/dashboard.js", "dashboard.js", "text/javascript; charset=utf-8"),
        Load("/dashboard.css", "dashboard.css", "text/css; charset=utf-8"),
    ];

    /// <summary>True for the dashboard's own paths, which are served without the token.</summary>
    public static bool IsPublic(PathString path)
    {
        foreach (var asset in All)
        {
            if (path.Equals(asset.Path, StringComparison.Ordinal)) return true;
        }
        return false;
    }

    public static void Map(WebApplication app)
    {
        foreach (var asset in All) app.MapGet(asset.Path, context => ServeAsync(context, asset));
    }

    private static Task ServeAsync(HttpContext context, DashboardAsset asset)
    {
        var response = context.Response;
        response.ContentType = asset.ContentType;
        response.ContentLength = asset.Content.Length;
        response.Headers.CacheControl = "no-cache";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers["Referrer-Policy"] = "no-referrer";
        return response.Body.WriteAsync(asset.Content).AsTask();
    }

    private static DashboardAsset Load(string path, string file, string contentType)
    {
        var name = "FastGate.Host.Admin.Dashboard." + file;
        using var stream = typeof(DashboardAssets).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"the dashboard resource {name} is not embedded in the binary");
        using var bytes = new MemoryStream();
        stream.CopyTo(bytes);
        return new DashboardAsset(path, contentType, bytes.ToArray());
    }
}
