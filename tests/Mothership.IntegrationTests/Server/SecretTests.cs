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
}
