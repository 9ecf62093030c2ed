using System.Net;
using System.Text.RegularExpressions;

namespace FastGate.Tests.Process;

/// <summary>Reads the dashboard's DOM as headless Chromium dumps it (<c>--dump-dom</c>): the status line, elements, attributes.</summary>
internal static class DashboardDom
{
    public static (string Kind, string Text) Status(string dom)
    {
        var match = Regex.Match(dom, "<p id=\"status\" class=\"([^\"]*)\"[^>]*>([^<]*)</p>");
        Assert.True(match.Success, $"no status line in the page:\n{dom}");
        return (match.Groups[1].Value, WebUtility.HtmlDecode(match.Groups[2].Value));
    }

    /// <summary>The text of the first <c>&lt;tag&gt;</c> with that id (or class), which holds no other element.</summary>
    public static string Element(string html, string tag, string? id, string? className = null)
    {
        var attribute = id is not null ? $"id=\"{id}\"[^>]*" : $"class=\"{className}\"";
        var match = Regex.Match(html, $"<{tag} {attribute}>([^<]*)</{tag}>");
        Assert.True(match.Success, $"no <{tag}> {id ?? className} in:\n{html}");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    /// <summary>The inner HTML of the table row whose <paramref name="attribute"/> is <paramref name="value"/>.</summary>
    public static string Row(string dom, string attribute, string value)
    {
        var row = Regex.Match(dom, $"<tr {attribute}=\"{Regex.Escape(value)}\"[^>]*>(.*?)</tr>");
        Assert.True(row.Success, $"no row with {attribute}=\"{value}\":\n{dom}");
        return row.Groups[1].Value;
    }

    /// <summary>A count as the page prints it (1,234) read back.</summary>
    public static long Count(string text) => long.Parse(text.Replace(",", ""));

    public static string Attribute(string element, string name)
    {
        var match = Regex.Match(element, $" {name}=\"([^\"]*)\"");
        Assert.True(match.Success, $"no {name} in {element}");
        return match.Groups[1].Value;
    }
}
