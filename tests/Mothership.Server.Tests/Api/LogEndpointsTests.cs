using Mothership.Server.Api;

namespace Mothership.Server.Tests.Api;

public sealed class LogEndpointsTests
{
    [Theory]
    [InlineData("run-build-step-main.log", "attachment; filename=run-build-step-main.log; filename*=UTF-8''run-build-step-main.log")]
    [InlineData("ünï.log", "attachment; filename=_n_.log; filename*=UTF-8''%C3%BCn%C3%AF.log")]
    [InlineData("a\r\nX-Evil: 1.log", "attachment; filename=a__X-Evil__1.log; filename*=UTF-8''a__X-Evil__1.log")]
    [InlineData("../../etc/passwd", "attachment; filename=_.._etc_passwd; filename*=UTF-8''_.._etc_passwd")]
    public void Attachment_FileName_SafeForHeaderAndDisk(string file, string header) => Assert.Equal(header, LogEndpoints.Attachment(file));
}
