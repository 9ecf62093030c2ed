using System.Collections;
using Microsoft.AspNetCore.Http.Features;

namespace FastGate.Transport;

/// <summary>
/// The connection is its own feature collection: Kestrel sets four features on every connection, which a
/// <see cref="FeatureCollection"/> kept in a dictionary of their own (~216 B for each connection, idle ones too).
/// </summary>
internal abstract partial class NativeConnection : IFeatureCollection
{
    private FeatureSlots _featureSlots;
    private (Type Key, object Value)[]? _moreFeatures;
    private int _featureCount;
    private int _featureRevision;

    public override IFeatureCollection Features => this;

    bool IFeatureCollection.IsReadOnly => false;

    int IFeatureCollection.Revision => _featureRevision;

    object? IFeatureCollection.this[Type key]
    {
        get => FindFeature(key);
        set => SetFeature(key, value);
    }

    TFeature? IFeatureCollection.Get<TFeature>() where TFeature : default => (TFeature?)FindFeature(typeof(TFeature));

    void IFeatureCollection.Set<TFeature>(TFeature? instance) where TFeature : default => SetFeature(typeof(TFeature), instance);

    private ref (Type Key, object Value) FeatureAt(int index) =>
        ref index < FeatureSlots.Length ? ref _featureSlots[index] : ref _moreFeatures![index - FeatureSlots.Length];

    private object? FindFeature(Type key)
    {
        for (var i = 0; i < _featureCount; i++)
        {
            ref var slot = ref FeatureAt(i);
            if (slot.Key == key) return slot.Value;
        }
        return null;
    }

    private void SetFeature(Type key, object? value)
    {
        ArgumentNullException.ThrowIfNull(key);
        _featureRevision++;
        for (var i = 0; i < _featureCount; i++)
        {
            ref var slot = ref FeatureAt(i);
            if (slot.Key != key) continue;
            if (value is not null)
            {
                slot.Value = value;
                return;
            }
            // Removed: the last one takes its place.
            ref var last = ref FeatureAt(--_featureCount);
            slot = last;
            last = default;
            return;
        }
        if (value is null) return;
        var more = _featureCount - FeatureSlots.Length;
        if (more >= 0 && (_moreFeatures is null || more == _moreFeatures.Length))
            Array.Resize(ref _moreFeatures, Math.Max(4, more * 2));
        FeatureAt(_featureCount++) = (key, value);
    }

    IEnumerator<KeyValuePair<Type, object>> IEnumerable<KeyValuePair<Type, object>>.GetEnumerator()
    {
        for (var i = 0; i < _featureCount; i++)
        {
            var (key, value) = FeatureAt(i);
            yield return new KeyValuePair<Type, object>(key, value);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => ((IEnumerable<KeyValuePair<Type, object>>)this).GetEnumerator();
}
