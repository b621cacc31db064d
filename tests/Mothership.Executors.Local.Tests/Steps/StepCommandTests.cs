using Mothership.Engine.Execution;
using Mothership.Executors.Local.Steps;
using Mothership.Model.Tekton;

namespace Mothership.Executors.Local.Tests.Steps;

public sealed class StepCommandTests : IDisposable
{
    private readonly TempDirectory _scripts = new();

    public void Dispose() => _scripts.Dispose();

    private (string File, List<string> Args) Resolve(Step step, string container = "step-s") =>
        StepCommand.Resolve(step, container, _scripts.Path, "/tekton/scripts/");

    [Fact]
    public void Resolve_ScriptWithoutShebang_BashWithErrexitOnTheFileTheStepSees()
    {
        var (file, args) = Resolve(new Step { Script = "echo one\necho two\n", Args = ["a", "b"] });

        Assert.Equal("bash", file);
        Assert.Equal(["-e", "/tekton/scripts/step-s", "a", "b"], args);
        Assert.Equal("echo one\necho two\n", File.ReadAllText(_scripts.Combine("step-s")));
    }

    [Theory]
    [InlineData("#!/bin/sh\necho hi", new string[0])]
    [InlineData("#!/bin/sh -ex\necho hi", new[] { "-ex" })]
    [InlineData("#!/bin/ash\necho hi", new string[0])]
    [InlineData("#!/usr/bin/env sh\necho hi", new string[0])]
    [InlineData("#!/usr/bin/env ash -x\necho hi", new[] { "-x" })]
    [InlineData("#!/bin/busybox sh\necho hi", new string[0])]
    [InlineData("#!/bin/sh\r\necho hi", new string[0])]
    public void Resolve_PosixShellShebang_BashWithTheShebangsFlagsOnly(string script, string[] flags)
    {
        var (file, args) = Resolve(new Step { Script = script, Args = ["x"] });

        Assert.Equal("bash", file);
        Assert.Equal([.. flags, "/tekton/scripts/step-s", "x"], args);
    }

    [Theory]
    [InlineData("#!/usr/bin/env python3\nprint('hi')")]
    [InlineData("#!/bin/bash\necho hi")]
    [InlineData("#!/bin/busybox\necho hi")]
    public void Resolve_OtherShebang_RunsTheFileItselfMadeExecutable(string script)
    {
        var (file, args) = Resolve(new Step { Script = script, Args = ["x"] });

        Assert.Equal("/tekton/scripts/step-s", file);
        Assert.Equal(["x"], args);
        Assert.True(File.GetUnixFileMode(_scripts.Combine("step-s")).HasFlag(UnixFileMode.UserExecute));
        Assert.Equal(script, File.ReadAllText(_scripts.Combine("step-s")));
    }

    [Fact]
    public void Resolve_CommandAndArgs_FirstCommandWordIsTheProgram()
    {
        var (file, args) = Resolve(new Step { Command = ["git", "clone"], Args = ["--depth", "1"] });

        Assert.Equal("git", file);
        Assert.Equal(["clone", "--depth", "1"], args);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_scripts.Path));
    }

    [Fact]
    public void Resolve_OnlyArgsStartingWithADash_AShellRunsThem()
    {
        var (file, args) = Resolve(new Step { Args = ["-c", "echo hello"] });

        Assert.Equal("/bin/sh", file);
        Assert.Equal(["-c", "echo hello"], args);
    }

    [Fact]
    public void Resolve_OnlyArgs_FirstArgIsTheProgram()
    {
        var (file, args) = Resolve(new Step { Args = ["echo", "hello"] });

        Assert.Equal("echo", file);
        Assert.Equal(["hello"], args);
    }

    [Fact]
    public void Resolve_NothingToRun_FailsNamingTheContainer()
    {
        var e = Assert.Throws<AttemptFailure>(() => Resolve(new Step { Image = "ubuntu" }, "step-entry"));

        Assert.Equal("\"step-entry\" has no script, command or args: a local run cannot use an image's entrypoint", e.Message);
    }

    [Theory]
    [InlineData("#!/bin/sh", new string[0])]
    [InlineData("#! /bin/sh -e -u\n", new[] { "-e", "-u" })]
    [InlineData("#!/usr/bin/busybox ash\n", new string[0])]
    [InlineData("#!/usr/bin/sh\n", new string[0])]
    public void ShellFlags_PosixShell_TheFlags(string script, string[] flags)
    {
        Assert.Equal(flags, StepCommand.ShellFlags(script));
    }

    [Theory]
    [InlineData("#!\n")]
    [InlineData("#!/bin/bash\n")]
    [InlineData("#!/usr/bin/env node\n")]
    [InlineData("#!/usr/bin/env\n")]
    [InlineData("#!/bin/busybox\n")]
    [InlineData("#!/opt/sh\n")]
    public void ShellFlags_AnythingElse_Null(string script)
    {
        Assert.Null(StepCommand.ShellFlags(script));
    }
}
