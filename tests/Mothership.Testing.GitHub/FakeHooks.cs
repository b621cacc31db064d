namespace Mothership.Testing.GitHub;

/// <summary>The webhooks of a repository or an organisation and their deliveries.</summary>
internal sealed class FakeHooks(FakeGitHub github)
{
    private readonly Dictionary<long, List<FakeDelivery>> _hooks = [];

    public long Add()
    {
        var id = github.NextId();
        lock (github.Gate)
        {
            _hooks[id] = [];
        }

        return id;
    }

    public FakeDelivery AddDelivery(long hookId, string @event, string? action, int statusCode, DateTimeOffset? at)
    {
        lock (github.Gate)
        {
            var list = Deliveries(hookId) ?? throw new ArgumentException($"no hook {hookId}", nameof(hookId));
            var delivery = new FakeDelivery(github.NextId(), System.Guid.NewGuid().ToString(), @event, action, statusCode, at ?? github.Now, Redelivery: false);
            list.Add(delivery);
            return delivery;
        }
    }

    /// <summary>The deliveries of a hook, oldest first; null when there is no such hook. Call under the gate.</summary>
    public List<FakeDelivery>? Deliveries(long hookId) => _hooks.GetValueOrDefault(hookId);

    public IReadOnlyList<FakeDelivery> Snapshot(long hookId)
    {
        lock (github.Gate)
        {
            return [.. Deliveries(hookId) ?? throw new ArgumentException($"no hook {hookId}", nameof(hookId))];
        }
    }
}
