using FastGate.Http;
using FastGate.Resilience;

namespace FastGate.Configuration;

/// <summary>Binds a cluster's <c>retry = { attempts, on, methods, backoff, max_backoff, budget_percent, max_body }</c>.</summary>
internal static class RetryBinder
{
    internal static readonly string[] Keys = ["attempts", "on", "methods", "backoff", "max_backoff", "budget_percent", "max_body"];

    public static RetryPolicy? Bind(ConfigReader reader, string key, ConfigNode node)
    {
        if (!reader.TryTable(node, key, Keys, "{ attempts = 3, on = [\"connect_failure\", \"502\"] }")) return null;
        var children = node.Children;
        var before = reader.ErrorCount;

        var attempts = 3;
        if (children.TryGetValue("attempts", out var child) && !reader.TryInt(child, $"{key}.attempts", 1, RetryPolicy.MaxAttempts, out attempts)) attempts = 3;
        bool connect = true, reset = true;
        var statuses = new List<int> { 502, 503, 504 };
        if (children.TryGetValue("on", out child) && reader.TryStringList(child, $"{key}.on", out var conditions))
        {
            connect = reset = false;
            statuses.Clear();
            foreach (var (condition, source) in conditions)
            {
                if (condition == "connect_failure") connect = true;
                else if (condition == "reset") reset = true;
                else if (int.TryParse(condition, out var status) && status is >= 500 and <= 599) statuses.Add(status);
                else reader.Error(source, $"{key}.on", $"unknown retry condition \"{condition}\" (expected \"connect_failure\", \"reset\" or a status from \"500\" to \"599\")");
            }
        }
        var methods = HttpMethodSet.Idempotent;
        if (children.TryGetValue("methods", out child)) methods = RouteBinder.BindMethods(reader, child, $"{key}.methods");
        var backoff = TimeSpan.FromMilliseconds(25);
        if (children.TryGetValue("backoff", out child) && reader.TryDuration(child, $"{key}.backoff", true, out var b)) backoff = b;
        var maxBackoff = TimeSpan.FromSeconds(1);
        if (children.TryGetValue("max_backoff", out child) && reader.TryDuration(child, $"{key}.max_backoff", true, out var m)) maxBackoff = m;
        if (maxBackoff < backoff) reader.Error(children.TryGetValue("max_backoff", out child) ? child : node, $"{key}.max_backoff", "max_backoff is shorter than backoff");
        var budget = 20.0;
        if (children.TryGetValue("budget_percent", out child) && reader.TryNumber(child, $"{key}.budget_percent", 0, 100, out var percent)) budget = percent;
        var maxBody = RetryPolicy.DefaultMaxBody;
        if (children.TryGetValue("max_body", out child) && reader.TrySize(child, $"{key}.max_body", 0, Transport.EpollConnection.ClientReadLimit, out var size))
            maxBody = (int)size;
        return reader.ErrorCount != before ? null : new RetryPolicy(attempts, connect, reset, statuses, methods, backoff, maxBackoff, budget, maxBody);
    }
}
