namespace FastGate.Tests.Transport;

/// <summary>The epoll connection's own feature collection behaves as a <c>FeatureCollection</c> does.</summary>
public class EpollFeatureTests
{
    private interface IA;
    private interface IB;
    private sealed class Feature : IA, IB;

    [Fact]
    public async Task Features_are_set_replaced_removed_and_enumerated_beyond_the_inline_slots()
    {
        await using var pair = await TransportPair.StartAsync();
        var features = pair.Server.Features;
        var revision = features.Revision;
        var types = new[] { typeof(int), typeof(long), typeof(short), typeof(byte), typeof(char), typeof(bool) };
        foreach (var type in types) features[type] = type.Name;

        var a = new Feature();
        features.Set<IA>(a);
        features.Set<IB>(a);
        Assert.Same(a, features.Get<IA>());
        Assert.Equal("Char", features[typeof(char)]);
        Assert.True(features.Revision > revision);

        features[typeof(long)] = "replaced";
        features.Set<IA>(null);
        features[typeof(int)] = null;
        Assert.Null(features.Get<IA>());
        Assert.Null(features[typeof(int)]);
        Assert.Equal("replaced", features[typeof(long)]);
        Assert.Same(a, features.Get<IB>());
        Assert.Equal(["Boolean", "Byte", "Char", "Int16", "replaced"],
            features.Where(f => f.Key != typeof(IB) && f.Value is string).Select(f => (string)f.Value).Order());
        Assert.Null(features[typeof(double)]);
    }
}
