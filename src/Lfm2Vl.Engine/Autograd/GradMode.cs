namespace Lfm2Vl.Engine;

/// <summary>Whether operations on this thread record the graph for backward.</summary>
public static class GradMode
{
    [ThreadStatic] private static int _disabledDepth;

    public static bool IsEnabled => _disabledDepth == 0;

    /// <summary>Disables graph recording until disposed (inference, optimizer updates, metric code).</summary>
    public static NoGradScope NoGrad() => new();

    public readonly struct NoGradScope : IDisposable
    {
        public NoGradScope() { _disabledDepth++; }
        public void Dispose() => _disabledDepth--;
    }
}
