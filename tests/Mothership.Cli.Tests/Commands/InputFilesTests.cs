using Mothership.Cli.Commands;
using Mothership.Model.Diagnostics;

namespace Mothership.Cli.Tests.Commands;

public sealed class InputFilesTests
{
    [Fact]
    public void Expand_MissingPaths_FileNotFoundAndAnOptionTakenForAFileSaysSo()
    {
        // -f takes several paths per token: `validate -f x.yaml --server URL` hands it "--server".
        var bag = new DiagnosticBag();

        var files = InputFiles.Expand(["/nonexistent/x.yaml", "--server"], bag);

        Assert.Empty(files);
        Assert.Equal(["file not found", "file not found, and not an option of this command (see --help)"], bag.Items.Select(d => d.Message));
        Assert.Equal(["/nonexistent/x.yaml", "--server"], bag.Items.Select(d => d.Location.File));
    }
}
