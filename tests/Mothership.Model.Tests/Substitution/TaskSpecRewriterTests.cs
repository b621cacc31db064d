using Mothership.Model.Substitution;
using Mothership.Model.Tekton;

namespace Mothership.Model.Tests.Substitution;

public sealed class TaskSpecRewriterTests
{
    private static readonly VariableScope Scope = new VariableScope()
        .Set("params.name", "ssh")
        .Set("params.key", "password")
        .Set("params.sub", "nested")
        .Set("params.prefix", "APP_");

    [Fact]
    public void Apply_VolumeNamesSourcesAndItems_Substituted()
    {
        var spec = new TaskSpec
        {
            Volumes =
            [
                new Volume
                {
                    Name = "v-$(params.name)",
                    Source = new VolumeSource { SecretName = "$(params.name)", Items = [new KeyToPath("$(params.key)", "$(params.sub)/$(params.key)")] },
                },
                new Volume
                {
                    Name = "projected",
                    Source = new VolumeSource { Sources = [new VolumeSource { ConfigMapName = "$(params.name)", Items = [new KeyToPath("$(params.key)", "k")] }] },
                },
            ],
        };

        var applied = TaskSpecRewriter.Apply(spec, Scope);

        Assert.Equal("v-ssh", applied.Volumes[0].Name);
        Assert.Equal("ssh", applied.Volumes[0].Source.SecretName);
        Assert.Equal(new KeyToPath("password", "nested/password"), applied.Volumes[0].Source.Items.Single());
        Assert.Equal("ssh", applied.Volumes[1].Source.Sources[0].ConfigMapName);
        Assert.Equal(new KeyToPath("password", "k"), applied.Volumes[1].Source.Sources[0].Items.Single());
    }

    [Fact]
    public void ApplyStep_SidecarFieldsAndEnvFromPrefix_Substituted()
    {
        var sidecar = new Step
        {
            Name = "helper",
            WorkingDir = "/w/$(params.sub)",
            EnvFrom = [new EnvFromSource { Prefix = "$(params.prefix)", SecretName = "$(params.name)" }],
            VolumeMounts = [new VolumeMount { Name = "data", MountPath = "/data", SubPath = "$(params.sub)" }],
        };

        var applied = TaskSpecRewriter.Apply(new TaskSpec { Sidecars = [sidecar] }, Scope).Sidecars.Single();

        Assert.Equal("/w/nested", applied.WorkingDir);
        Assert.Equal("APP_", applied.EnvFrom.Single().Prefix);
        Assert.Equal("ssh", applied.EnvFrom.Single().SecretName);
        Assert.Equal("nested", applied.VolumeMounts.Single().SubPath);
    }

    [Fact]
    public void ApplyBinding_SubPathClaimAndItems_Substituted()
    {
        var binding = new WorkspaceBinding
        {
            Name = "data",
            SubPath = "runs/$(params.sub)",
            Source = new VolumeSource { ConfigMapName = "$(params.name)", Items = [new KeyToPath("$(params.key)", "$(params.key)")] },
        };

        var applied = TaskSpecRewriter.ApplyBinding(binding, Scope);

        Assert.Equal("runs/nested", applied.SubPath);
        Assert.Equal("ssh", applied.Source.ConfigMapName);
        Assert.Equal(new KeyToPath("password", "password"), applied.Source.Items.Single());
    }

    [Fact]
    public void ApplyBinding_UnknownVariable_KeptForALaterScope()
    {
        var binding = new WorkspaceBinding { Name = "data", SubPath = "$(context.taskRun.name)", Source = new VolumeSource { EmptyDir = true } };

        Assert.Equal("$(context.taskRun.name)", TaskSpecRewriter.ApplyBinding(binding, Scope).SubPath);
    }
}
