namespace Mothership.Executors.Kubernetes;

/// <summary>
/// No usable Kubernetes credentials where the user said (or where the defaults look): the
/// user's to fix (a flag, <c>KUBECONFIG</c>), so a message to print, not an internal error.
/// </summary>
public sealed class KubernetesConfigException(string message, Exception? inner = null) : Exception(message, inner);
