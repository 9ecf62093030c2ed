using FastGate.Caching;

namespace FastGate.Tests.Caching;

/// <summary>
/// L2 on a 3-node Redis Cluster (no replicas): a Vary marker and its variant are written in one transaction, which
/// only works because their names share a hash tag (one slot); purges scan every primary.
/// </summary>
public sealed class CacheL2ClusterTests
{
    [Fact]
    public async Task Variants_and_purges_work_across_a_three_node_cluster()
    {
        var nodes = new List<RedisServer>();
        try
        {
            await RedisServer.StartClusterAsync(nodes);

            await using var fixture = await L2Fixture.StartAsync(string.Join(',', nodes.Select(n => n.EndPoint)), r =>
                CacheFixture.Ok("lang " + r.Header("Accept-Language"), "Cache-Control: max-age=60\r\nVary: Accept-Language\r\nCache-Tag: docs\r\n"));
            for (var i = 0; i < 8; i++)
            {
                await fixture.A.SendAsync($"/doc/{i}", "Accept-Language: en\r\n");
                await L2Fixture.Until(() => fixture.A.L2.Writes == i + 1, $"A wrote /doc/{i} with its marker");
            }
            for (var i = 0; i < 8; i++)
            {
                var hit = await fixture.B.SendAsync($"/doc/{i}", "Accept-Language: en\r\n");
                Assert.Equal(("HIT", "lang en"), (hit.Header("X-Cache"), hit.Body));
            }
            Assert.Equal((8, 0L), (fixture.UpstreamRequests, fixture.A.L2.Errors + fixture.B.L2.Errors));

            // Eight objects, each a marker and a variant, spread over the nodes; the prefix purge finds them on every one.
            var result = await fixture.A.Runtime.PurgeAsync(PurgeRequest.Parse(PurgeKind.Prefix, "/doc/", out _)!);
            Assert.Equal((16, (long?)16, true), (result.Removed, result.L2Removed, result.Published));
            await L2Fixture.Until(() => fixture.B.Runtime.Store.Entries == 0, "B's L1 purged");
            Assert.Equal("MISS", (await fixture.B.SendAsync("/doc/1", "Accept-Language: en\r\n")).Header("X-Cache"));
        }
        finally
        {
            nodes.ForEach(n => n.Dispose());
        }
    }
}
