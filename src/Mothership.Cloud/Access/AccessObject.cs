namespace Mothership.Cloud.Access;

/// <summary>
/// How the thing a request acts on is named for the policy (the fifth field of a <c>p</c> line is
/// a glob over these names). Everything tied to a site is <c>ENVIRONMENT/SITE</c>
/// (<c>prod/prod-kr1</c>): sites, their deploys and rollouts, and runs or tasks labelled with a
/// site. Everything else is <c>-/NAME</c> (<c>-/nightly-build-x7k2p</c>, <c>-/settings</c>), so
/// <c>*</c> matches everything, <c>stage/*</c> only stage sites and <c>-/*</c> only what no site owns.
/// </summary>
public static class AccessObject
{
    /// <summary>The environment part of objects not tied to a site.</summary>
    public const string NoSite = "-";

    /// <summary>The object of something tied to <paramref name="site"/> of <paramref name="environment"/>.</summary>
    public static string ForSite(string environment, string site) => $"{environment}/{site}";

    /// <summary>The object of something no site owns, by its name (a run's or pipeline's name, <c>settings</c>).</summary>
    public static string Unscoped(string name) => $"{NoSite}/{name}";
}
