namespace Mothership.Testing.GitHub;

/// <summary>An organisation in the fake: its members (public or not) and its webhooks.</summary>
public sealed class FakeOrganization
{
    private readonly FakeGitHub _github;
    private readonly HashSet<string> _members = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _publicMembers = new(StringComparer.OrdinalIgnoreCase);

    internal FakeOrganization(FakeGitHub github, string login)
    {
        _github = github;
        Login = login;
        Hooks = new FakeHooks(github);
    }

    public string Login { get; }

    /// <summary>
    /// Whether the token's own user is a member. When not, GitHub answers a membership check
    /// with 302 to the public membership (<c>/orgs/ORG/public_members/USER</c>). Default true.
    /// </summary>
    public bool RequesterIsMember { get; set; } = true;

    internal FakeHooks Hooks { get; }

    /// <summary>Makes <paramref name="login"/> a member; a public one when <paramref name="isPublic"/>.</summary>
    public void AddMember(string login, bool isPublic = false)
    {
        lock (_github.Gate)
        {
            _members.Add(login);
            if (isPublic)
            {
                _publicMembers.Add(login);
            }
        }
    }

    /// <summary>Adds a webhook; returns its id.</summary>
    public long AddHook() => Hooks.Add();

    /// <summary>Records a delivery of hook <paramref name="hookId"/>.</summary>
    public FakeDelivery AddDelivery(long hookId, string @event, string? action = null, int statusCode = 200, DateTimeOffset? deliveredAt = null) =>
        Hooks.AddDelivery(hookId, @event, action, statusCode, deliveredAt);

    /// <summary>The deliveries of a hook, oldest first, redeliveries included.</summary>
    public IReadOnlyList<FakeDelivery> Deliveries(long hookId) => Hooks.Snapshot(hookId);

    internal bool IsMember(string login) => _members.Contains(login);

    internal bool IsPublicMember(string login) => _publicMembers.Contains(login);
}
