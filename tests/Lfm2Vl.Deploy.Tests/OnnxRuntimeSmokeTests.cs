using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit;

namespace Lfm2Vl.Deploy.Tests;

public class OnnxRuntimeSmokeTests
{
    [Fact]
    public void NativeRuntimeLoads()
    {
        using var options = new SessionOptions();
        Assert.NotNull(OrtEnv.Instance().GetVersionString());
    }
}
