namespace Mothership.IntegrationTests.Server;

/// <summary>Secret values submitted with a run never come back: not in logs, not in the run object, not in lists or events.</summary>
public sealed class SecretTests(SharedServer shared, PostgresFixture postgres) : ServerTestBase(shared, postgres), IClassFixture<SharedServer>
{
    protected override StoreBackend Backend => StoreBackend.Sqlite;

    [Fact(Timeout = 60000)]
    public async Task Run_WithASecret_NeverShowsItsValue()
    {
        var server = await ServerAsync();
        const string value = "hunter2-very-secret";
        var name = Unique("secret");
        var body = $$$"""
            apiVersion: v1
            kind: Secret
            metadata: {name: {{{name}}}}
            stringData: {password: {{{value}}}}
            ---
            apiVersion: tekton.dev/v1
            kind: PipelineRun
            metadata: {name: {{{name}}}}
            spec:
              pipelineSpec:
                tasks:
                  - name: leak
                    taskSpec:
                      steps:
                        - name: echo
                          image: bash
                          env:
                            - name: PASSWORD
                              valueFrom: {secretKeyRef: {name: {{{name}}}, key: password}}
                          script: |
                            echo "the password is $PASSWORD"
            """;
        var run = await CreateRunAsync(server, body);
        Assert.Equal("Succeeded", Reason(await WaitForFinishAsync(server, run)));

        var logs = await server.Http.GetStringAsync($"api/v1/pipelineruns/{run}/logs", Ct);
        Assert.Contains("[leak/echo] the password is ***", logs, StringComparison.Ordinal);
        foreach (var path in new[] { $"api/v1/pipelineruns/{run}", "api/v1/pipelineruns", $"api/v1/pipelineruns/{run}/events", "api/v1/audit",
            $"api/v1/pipelineruns/{run}/logs?follow=true" })
        {
            var text = await server.Http.GetStringAsync(path, Ct);
            Assert.DoesNotContain(value, text, StringComparison.Ordinal);
        }
    }

    [Fact(Timeout = 60000)]
    public async Task TaskRun_SecretWrittenToAResult_ServedMasked()
    {
        var server = await ServerAsync();
        const string value = "s3cr3t-token-value";
        var name = Unique("secretresult");
        var body = $$$"""
            apiVersion: v1
            kind: Secret
            metadata: {name: {{{name}}}}
            stringData: {token: {{{value}}}}
            ---
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata: {name: {{{name}}}}
            spec:
              taskSpec:
                results: [{name: copied}]
                steps:
                  - name: copy
                    image: bash
                    env:
                      - name: TOKEN
                        valueFrom:
                          secretKeyRef: {key: token, name: {{{name}}}}
                    script: printf '%s' "$TOKEN" > $(results.copied.path)
            """;
        var run = await CreateRunAsync(server, body, "taskruns");
        var finished = await WaitForFinishAsync(server, run, kinds: "taskruns");

        Assert.Equal("Succeeded", Reason(finished));
        Assert.Equal("***", (string?)finished["status"]!["results"]![0]!["value"]);
        Assert.DoesNotContain(value, await server.Http.GetStringAsync($"api/v1/taskruns/{run}", Ct), StringComparison.Ordinal);
    }

    [Fact(Timeout = 60000)]
    public async Task PipelineRun_ParamsNamedLikeSecrets_MaskedUnlessPlain()
    {
        var server = await ServerAsync();
        var name = Unique("secretparam");
        var body = $$$"""
            apiVersion: tekton.dev/v1
            kind: PipelineRun
            metadata:
              name: {{{name}}}
              annotations: {mothership.io/plain-params: sshKeyName}
            spec:
              params:
                - {name: db-password, value: pa55-word-value}
                - {name: sshKeyName, value: deploy-key-name}
                - {name: keystone-url, value: http://keystone-url-value}
              pipelineSpec:
                params: [{name: db-password}, {name: sshKeyName}, {name: keystone-url}]
                tasks:
                  - name: show
                    params:
                      - {name: pw, value: $(params.db-password)}
                    taskSpec:
                      params: [{name: pw}]
                      steps:
                        - name: echo
                          image: bash
                          script: |
                            echo "pw=$(params.pw) key=$(params.sshKeyName) url=$(params.keystone-url)"
            """;
        var run = await CreateRunAsync(server, body);
        Assert.Equal("Succeeded", Reason(await WaitForFinishAsync(server, run)));

        var logs = await server.Http.GetStringAsync($"api/v1/pipelineruns/{run}/logs", Ct);
        Assert.Contains("[show/echo] pw=*** key=deploy-key-name url=http://keystone-url-value", logs, StringComparison.Ordinal);
        var obj = await server.Http.GetStringAsync($"api/v1/pipelineruns/{run}", Ct);
        Assert.DoesNotContain("pa55-word-value", obj, StringComparison.Ordinal);
        Assert.Contains("deploy-key-name", obj, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60000)]
    public async Task Run_SecretWorkspace_NothingOfItLeftOnDiskOnceFinishedAndNoFolderAfterDelete()
    {
        var server = await ServerAsync();
        const string value = "disk-secret-value";
        var name = Unique("secretdisk");
        var body = $$$"""
            apiVersion: v1
            kind: Secret
            metadata: {name: {{{name}}}}
            stringData: {token: {{{value}}}}
            ---
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata: {name: {{{name}}}}
            spec:
              workspaces: [{name: creds, secret: {secretName: {{{name}}}}}]
              taskSpec:
                workspaces: [{name: creds}]
                steps:
                  - {name: use, image: bash, script: 'test -s $(workspaces.creds.path)/token'}
            """;
        var run = await CreateRunAsync(server, body, kinds: "taskruns");
        Assert.Equal("Succeeded", Reason(await WaitForFinishAsync(server, run, kinds: "taskruns")));

        // The run's folder went when it ended (logs and results are in the store): no Secret file stays.
        var runs = Path.Combine(server.WorkingDirectory, "runs");
        var uid = (string)(await GetJsonAsync(server, $"api/v1/taskruns/{run}"))["metadata"]!["uid"]!;
        // Released right after the finished run is stored.
        for (var i = 0; i < 50 && Directory.Exists(Path.Combine(runs, uid)); i++)
        {
            await Task.Delay(100, Ct);
        }

        Assert.False(Directory.Exists(Path.Combine(runs, uid)), $"the run's folder outlived the run: {string.Join(", ", Directory.EnumerateFileSystemEntries(runs, "*", SearchOption.AllDirectories))}");
        Assert.DoesNotContain(Directory.EnumerateFiles(runs, "*", SearchOption.AllDirectories), f => File.ReadAllText(f).Contains(value, StringComparison.Ordinal));

        // What a crash would have left (the folder of a finished run) goes with DELETE.
        Directory.CreateDirectory(Path.Combine(runs, uid));
        await File.WriteAllTextAsync(Path.Combine(runs, uid, ".instance"), "mothership", Ct);
        var (status, _, text) = await SendAsync(server, HttpMethod.Delete, $"api/v1/taskruns/{run}");
        Assert.True(status == System.Net.HttpStatusCode.OK, text);
        Assert.False(Directory.Exists(Path.Combine(runs, uid)), "DELETE left the run's folder");
    }
}
