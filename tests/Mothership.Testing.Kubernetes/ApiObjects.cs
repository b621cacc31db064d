using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using k8s.Models;
using Mothership.Testing.Kubernetes.Kubelet;
using Mothership.Testing.Kubernetes.Schemas;

namespace Mothership.Testing.Kubernetes;

/// <summary>An API answer that is not a success: the HTTP code and the V1Status body.</summary>
internal sealed class ApiError(int code, string reason, string text, V1StatusDetails? details = null) : Exception(text)
{
    public int Code => code;

    public V1Status Status => new()
    {
        Kind = "Status",
        ApiVersion = "v1",
        Metadata = new V1ListMeta(),
        Status = "Failure",
        Code = code,
        Reason = reason,
        Message = Message,
        Details = details,
    };

    public static ApiError NotFound(ResourceKind kind, string name) =>
        new(404, "NotFound", $"{kind.Plural} \"{name}\" not found", new V1StatusDetails { Name = name, Kind = kind.Plural });

    public static ApiError BadRequest(string message) => new(400, "BadRequest", message);

    /// <summary>422 Invalid for fields the kind's schema refuses, with a cause per field, as the API server answers it.</summary>
    public static ApiError Invalid(ResourceKind kind, JsonObject obj, IReadOnlyList<FieldViolation> violations)
    {
        var name = KubeJson.Name(obj) is { Length: > 0 } n ? n : (string?)obj["metadata"]?["generateName"] ?? "";
        return new(422, "Invalid", KubernetesSchemas.InvalidMessage(kind.Kind, name, violations), new V1StatusDetails
        {
            Name = name,
            Kind = kind.Kind,
            Group = kind.ApiVersion.Contains('/', StringComparison.Ordinal) ? kind.ApiVersion.Split('/')[0] : "",
            Causes = [.. violations.Select(v => new V1StatusCause { Reason = v.Reason, Message = v.Message, Field = v.Field })],
        });
    }

    /// <summary>Throws <see cref="Invalid"/> when Kubernetes' OpenAPI schema for the kind refuses the object as sent.</summary>
    public static void ThrowIfInvalid(ResourceKind kind, JsonObject obj)
    {
        var violations = KubernetesSchemas.Validate(kind.Kind, obj);
        if (violations.Count > 0)
        {
            throw Invalid(kind, obj, violations);
        }
    }
}

/// <summary>
/// What the API server does to objects on the way in and out, for requests and for
/// <see cref="FakeKubernetesApi.Seed"/> alike: names, defaults, the PVC binder, and the kubelet for pods.
/// </summary>
internal sealed class ApiObjects(ObjectStore store, FakeKubelet kubelet, TimeProvider time)
{
    private const string NameAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    public ObjectStore Store => store;

    public FakeKubelet Kubelet => kubelet;

    /// <summary>Creates an object in <paramref name="ns"/>: 201 with the stored object, or an <see cref="ApiError"/>.</summary>
    public JsonObject Create(ResourceKind kind, string ns, JsonObject body, bool dryRun)
    {
        if ((string?)body["kind"] is { } bodyKind && bodyKind != kind.Kind)
        {
            throw ApiError.BadRequest($"the kind of the provided object ({bodyKind}) does not match the resource ({kind.Plural})");
        }

        // The object as sent, before the model reads it: reading would drop what it cannot type.
        ApiError.ThrowIfInvalid(kind, body);
        JsonObject obj;
        try
        {
            obj = kind.Normalize(body);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw ApiError.BadRequest($"the body of the request was in an unknown format: {e.Message}");
        }

        var meta = KubeJson.Metadata(obj);
        if (KubeJson.Namespace(obj) is { } bodyNs && bodyNs != ns)
        {
            throw ApiError.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }

        meta["namespace"] = ns;
        var generated = false;
        if (string.IsNullOrEmpty(KubeJson.Name(obj)))
        {
            if ((string?)meta["generateName"] is not { Length: > 0 } prefix)
            {
                throw new ApiError(422, "Invalid", $"{kind.Kind} \"\" is invalid: metadata.name: Required value: name or generateName is required");
            }

            meta["name"] = prefix + string.Concat(Enumerable.Range(0, 5).Select(_ => NameAlphabet[RandomNumberGenerator.GetInt32(NameAlphabet.Length)]));
            generated = true;
        }

        var name = KubeJson.Name(obj)!;
        meta["uid"] = Guid.NewGuid().ToString();
        meta["creationTimestamp"] = KubeJson.Time(time.GetUtcNow());
        foreach (var field in new[] { "resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds" })
        {
            meta.Remove(field);
        }

        obj = kind.Plural switch
        {
            "pods" => DefaultPod(obj),
            "persistentvolumeclaims" => BindClaim(obj),
            "secrets" => FoldStringData(obj),
            _ => obj,
        };

        if (dryRun)
        {
            if (store.Get(kind, ns, name) is not null)
            {
                throw AlreadyExists(kind, name, generated);
            }

            return obj;
        }

        var stored = store.Create(kind, obj) ?? throw AlreadyExists(kind, name, generated);
        if (kind == ResourceKind.Pods)
        {
            kubelet.Admit(KubeJson.To<V1Pod>(stored));
        }
        else if (kind == ResourceKind.PersistentVolumeClaims)
        {
            kubelet.Context.ClaimDirectory(KubeJson.To<V1PersistentVolumeClaim>(stored));
        }

        return stored;
    }

    /// <summary>Deletes one object: a pod through the kubelet (graceful), the rest at once.</summary>
    public JsonObject Delete(ResourceKind kind, string ns, string name, long? gracePeriodSeconds)
    {
        var deleted = kind == ResourceKind.Pods
            ? kubelet.Delete(ns, name, gracePeriodSeconds)
            : store.Delete(kind, ns, name);
        return deleted ?? throw ApiError.NotFound(kind, name);
    }

    private static ApiError AlreadyExists(ResourceKind kind, string name, bool generated) => generated
        ? new ApiError(409, "AlreadyExists", $"{kind.Plural} \"{name}\" already exists, the server was not able to generate a unique name for the object", new V1StatusDetails { Name = name, Kind = kind.Plural })
        : new ApiError(409, "AlreadyExists", $"{kind.Plural} \"{name}\" already exists", new V1StatusDetails { Name = name, Kind = kind.Plural });

    /// <summary>The defaults the API server fills in, validation it would fail, and the first status.</summary>
    private static JsonObject DefaultPod(JsonObject obj)
    {
        var pod = KubeJson.To<V1Pod>(obj);
        var spec = pod.Spec ?? throw new ApiError(422, "Invalid", $"Pod \"{pod.Name()}\" is invalid: spec: Required value");
        if (spec.Containers is null || spec.Containers.Count == 0)
        {
            throw new ApiError(422, "Invalid", $"Pod \"{pod.Name()}\" is invalid: spec.containers: Required value");
        }

        var all = (spec.InitContainers ?? []).Concat(spec.Containers).ToList();
        if (all.FirstOrDefault(c => string.IsNullOrEmpty(c.Name)) is not null)
        {
            throw new ApiError(422, "Invalid", $"Pod \"{pod.Name()}\" is invalid: spec.containers.name: Required value");
        }

        if (all.GroupBy(c => c.Name).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
        {
            throw new ApiError(422, "Invalid", $"Pod \"{pod.Name()}\" is invalid: spec.containers.name: Duplicate value: \"{duplicate.Key}\"");
        }

        if (all.FirstOrDefault(c => string.IsNullOrEmpty(c.Image)) is { } noImage)
        {
            throw new ApiError(422, "Invalid", $"Pod \"{pod.Name()}\" is invalid: spec.containers[{noImage.Name}].image: Required value");
        }

        spec.RestartPolicy ??= "Always";
        spec.TerminationGracePeriodSeconds ??= 30;
        spec.DnsPolicy ??= "ClusterFirst";
        spec.SchedulerName ??= "default-scheduler";
        spec.ServiceAccountName ??= "default";
        spec.SecurityContext ??= new V1PodSecurityContext();
        spec.EnableServiceLinks ??= true;
        spec.Priority ??= 0;
        spec.PreemptionPolicy ??= "PreemptLowerPriority";
        foreach (var c in all)
        {
            c.TerminationMessagePath ??= "/dev/termination-log";
            c.TerminationMessagePolicy ??= "File";
            c.ImagePullPolicy ??= c.Image.Contains(':', StringComparison.Ordinal) && !c.Image.EndsWith(":latest", StringComparison.Ordinal) ? "IfNotPresent" : "Always";
            c.Resources ??= new V1ResourceRequirements();
        }

        pod.Status = new V1PodStatus { Phase = "Pending", QosClass = "BestEffort" };
        return KubeJson.ToNode(pod);
    }

    /// <summary>The claim is bound at once to a volume named after it, as a dynamic provisioner would.</summary>
    private static JsonObject BindClaim(JsonObject obj)
    {
        var pvc = KubeJson.To<V1PersistentVolumeClaim>(obj);
        pvc.Spec ??= new V1PersistentVolumeClaimSpec();
        pvc.Spec.VolumeName = "pvc-" + pvc.Uid();
        pvc.Spec.VolumeMode ??= "Filesystem";
        pvc.Spec.StorageClassName ??= "standard";
        pvc.Metadata.Annotations ??= new Dictionary<string, string>();
        pvc.Metadata.Annotations["pv.kubernetes.io/bind-completed"] = "yes";
        pvc.Status = new V1PersistentVolumeClaimStatus
        {
            Phase = "Bound",
            AccessModes = pvc.Spec.AccessModes,
            Capacity = pvc.Spec.Resources?.Requests is { } requests && requests.TryGetValue("storage", out var storage)
                ? new Dictionary<string, ResourceQuantity> { ["storage"] = storage }
                : null,
        };
        return KubeJson.ToNode(pvc);
    }

    /// <summary>stringData is write-only: the server merges it into data.</summary>
    private static JsonObject FoldStringData(JsonObject obj)
    {
        var secret = KubeJson.To<V1Secret>(obj);
        secret.Type ??= "Opaque";
        if (secret.StringData is { Count: > 0 } strings)
        {
            secret.Data ??= new Dictionary<string, byte[]>();
            foreach (var (k, v) in strings)
            {
                secret.Data[k] = System.Text.Encoding.UTF8.GetBytes(v);
            }
        }

        secret.StringData = null;
        return KubeJson.ToNode(secret);
    }

    public static string Version(long v) => v.ToString(CultureInfo.InvariantCulture);
}
