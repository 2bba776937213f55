using Lfm2Vl.Training.Evaluation;
using Lfm2Vl.Vision.Data;

namespace Lfm2Vl.Server.Tests;

/// <summary>The real predictor behind a gate the test opens: holds the single worker busy so the queue fills deterministically.</summary>
internal sealed class GatedPredictor(IPredictor inner, GatedPredictor.Gate gate) : IPredictor
{
    public sealed class Gate
    {
        private readonly ManualResetEventSlim _open = new(false);
        public SemaphoreSlim Entered { get; } = new(0);
        public void Open() => _open.Set();
        internal void Pass()
        {
            Entered.Release();
            _open.Wait(TimeSpan.FromSeconds(60));
        }
    }

    public IReadOnlyList<ImagePrediction> Predict(IReadOnlyList<(ImageRgb Image, string Name)> images, int topK)
    {
        gate.Pass();
        return inner.Predict(images, topK);
    }
}
