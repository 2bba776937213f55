using System.Diagnostics;
using System.Text.Json;
using Lfm2Vl.Engine;
using Lfm2Vl.Nn.Modules;
using Lfm2Vl.Nn.Optim;
using Lfm2Vl.Nn.Schedules;
using Lfm2Vl.Nn.Serialization;
using Lfm2Vl.Training.Checkpoints;
using Lfm2Vl.Training.Evaluation;
using Lfm2Vl.Vision.Data;
using Lfm2Vl.Vision.Detection;
using Lfm2Vl.Vision.Models;

namespace Lfm2Vl.Training;

/// <summary>
/// Trains a recognition model on an image-folder dataset: validation every epoch, early stopping, best and last
/// checkpoints written atomically, exact resume (model, optimizer, schedule, epoch, position within the epoch and
/// every random generator), a clean stop on cancellation (the step in flight finishes and is saved) and on a
/// non-finite loss (nothing is saved, the last good checkpoint stays).
/// </summary>
public sealed class Trainer
{
    private readonly TrainingConfig _config;
    private readonly ITrainingObserver _observer;
    private readonly IRunCustomization _custom;

    public Trainer(TrainingConfig config, ITrainingObserver? observer = null, IRunCustomization? customization = null)
    {
        config.Validate();
        _config = config;
        _observer = observer ?? new NullObserver();
        _custom = customization ?? new DefaultRun();
    }

    private sealed class DefaultRun : IRunCustomization { }

    private sealed class NullObserver : ITrainingObserver { }

    public string BestPath => Path.Combine(_config.OutputDir, "best.safetensors");
    public string LastPath => Path.Combine(_config.OutputDir, "last.safetensors");
    public string FinalModelPath => Path.Combine(_config.OutputDir, "model.safetensors");

    /// <summary>Runs the training; with <paramref name="resume"/> it continues from a last.safetensors written by an earlier run.</summary>
    public TrainingResult Run(CancellationToken cancel = default, string? resume = null)
    {
        var c = _config;
        var device = TrainingDevice.Resolve(c.Device); // before anything is written: a device that is not there stops the run
        Directory.CreateDirectory(c.OutputDir);
        c.Save(Path.Combine(c.OutputDir, "config.json"));

        var folderOptions = new ImageFolderOptions { Strict = c.StrictData, OnWarning = w => _observer.Message($"warning: {w.Message}") };
        var train = ImageFolderDataset.Load(c.DataDir, DatasetSplit.Train, folderOptions);
        var val = ImageFolderDataset.Load(c.DataDir, DatasetSplit.Val, folderOptions);
        int numClasses = c.NumClasses == 0 ? train.ClassNames.Count : c.NumClasses;
        if (numClasses != train.ClassNames.Count)
            throw new ArgumentException($"num_classes is {numClasses} but '{c.DataDir}/train' has {train.ClassNames.Count} class folders ({string.Join(", ", train.ClassNames)}). Set num_classes to 0 to take it from the data.");

        var tc = TrainingSetup.Transforms(c);
        var trainTransforms = c.Augment ? tc.BuildTrain() : tc.BuildEval();
        using var trainLoader = new ImageBatchLoader(train, trainTransforms, new LoaderOptions
        {
            BatchSize = c.BatchSize, Shuffle = true, DropLast = train.Count > c.BatchSize, NumWorkers = c.NumWorkers,
            Seed = c.Seed, CacheImages = c.CacheImages, Strict = c.StrictData,
        });
        using var valLoader = new ImageBatchLoader(val, tc.BuildEval(), new LoaderOptions
        {
            BatchSize = c.BatchSize, Shuffle = false, NumWorkers = c.NumWorkers, Seed = c.Seed, CacheImages = c.CacheImages, Strict = c.StrictData,
        });

        // The model lives on the run's device; batches go there once per step and only the loss (and the predicted
        // classes, for the running accuracy) come back for logging.
        var model = _custom.CreateModel(c, numClasses, train.ClassNames);
        model.To(device);
        var optimizer = _custom.CreateOptimizer(c, model);
        int batches = trainLoader.BatchesPerEpoch;
        int stepsPerEpoch = Math.Max(1, (batches + c.GradAccumulation - 1) / c.GradAccumulation);
        var schedule = TrainingSetup.Schedule(c, optimizer, stepsPerEpoch);
        var plateau = TrainingSetup.Plateau(c, optimizer);
        using var classWeights = c.ClassWeights is { } cw ? Tensor.FromDoubles(cw, [cw.Length], device: device).Persist() : null;
        if (classWeights is not null && classWeights.Numel != numClasses)
            throw new ArgumentException($"class_weights has {classWeights.Numel} entries for {numClasses} classes.");

        var metadata = new CheckpointMetadata
        {
            Model = model.Config,
            ClassNames = train.ClassNames,
            NormalizeMean = tc.Mean.ToArray(),
            NormalizeStd = tc.Std.ToArray(),
            TrainingConfigJson = c.ToJson(),
        };
        var state = new RunState();
        if (resume is not null) state = Restore(resume, model, optimizer, schedule, plateau, train.ClassNames);

        _observer.RunStarted(c, train.Count, val.Count, batches, model.ParameterCount());
        bool higher = EpochMetrics.HigherIsBetter(c.MonitorMetric);
        var accumulator = new GradientAccumulator(c.GradAccumulation);
        var lossWeights = new DetectionLossWeights(1.0, c.BoxLossWeight, c.CenternessLossWeight);

        for (int epoch = state.Epoch; epoch < c.NumEpochs; epoch++)
        {
            _custom.OnEpochStart(epoch, model, _observer);
            model.Train();
            var watch = Stopwatch.StartNew();
            int skip = state.BatchInEpoch;
            int b = 0;
            foreach (var batch in trainLoader.Epoch(epoch))
            {
                using var batchOwner = batch;
                if (b++ < skip) continue; // resumed mid-epoch: these batches were already trained on
                using (var scope = TensorScope.Begin())
                {
                    var images = batch.Images.To(device);
                    var labels = batch.Labels.To(device);
                    var output = model.Forward(images);
                    var loss = Functional.CrossEntropy(output.Logits, labels, classWeights, c.LabelSmoothing);
                    if (output.Detection is not null && batch.Boxes.Any(x => x.Count > 0))
                        loss = loss + DetectionLoss.Compute(output.Detection, batch.Boxes, lossWeights).Total * c.DetectionWeight;
                    double lossValue = loss.Item();
                    if (!double.IsFinite(lossValue))
                    {
                        var msg = $"The loss became {lossValue} at epoch {epoch + 1}, batch {b}. Nothing was saved for this step; the last good checkpoint is {(File.Exists(LastPath) ? LastPath : "not written yet")}. " +
                                  "Lower the learning rate, enable grad_clip_norm, or check the data.";
                        _observer.Message(msg);
                        return Finish(StopReason.NonFiniteLoss, state, model, metadata, msg);
                    }
                    (accumulator.MicroBatches > 1 ? loss * accumulator.LossScale : loss).Backward();
                    using (GradMode.NoGrad())
                    {
                        var predicted = output.Logits.ArgMax(1).ToArray<int>();
                        var truth = batch.Labels.ToArray<int>(); // the host copy: no device read
                        state.Correct += predicted.Zip(truth).Count(p => p.First == p.Second);
                    }
                    state.LossSum += lossValue * batch.Count;
                    state.Seen += batch.Count;
                }
                if (accumulator.Advance())
                {
                    if (c.GradClipNorm > 0) GradClip.ClipGradNorm(model.Parameters(), c.GradClipNorm);
                    optimizer.Step();
                    optimizer.ZeroGrad();
                    schedule?.Step();
                    state.BatchInEpoch = b;
                    if (cancel.IsCancellationRequested)
                    {
                        state.Epoch = epoch;
                        SaveState(LastPath, model, optimizer, schedule, plateau, metadata, state);
                        var msg = $"Interrupted at epoch {epoch + 1}, batch {b}/{batches}: state saved to {LastPath}. Continue with --resume {LastPath}.";
                        _observer.Message(msg);
                        return Finish(StopReason.Interrupted, state, model, metadata, msg, writeFinal: false);
                    }
                }
                _observer.BatchFinished(epoch + 1, b, batches, state.LossSum / Math.Max(state.Seen, 1), state.Correct / (double)Math.Max(state.Seen, 1), optimizer.ParamGroups[0].Lr);
            }
            watch.Stop();

            _observer.ValidationStarted(epoch + 1);
            var (valLoss, valAcc, valTop5, valMap50) = Validate(model, train.ClassNames, valLoader);
            var metrics = new EpochMetrics
            {
                Epoch = epoch + 1,
                TrainLoss = state.LossSum / Math.Max(state.Seen, 1),
                TrainAccuracy = state.Correct / (double)Math.Max(state.Seen, 1),
                ValLoss = valLoss,
                ValAccuracy = valAcc,
                ValTop5 = valTop5,
                ValMap50 = valMap50,
                LearningRate = optimizer.ParamGroups[0].Lr,
                EpochSeconds = watch.Elapsed.TotalSeconds + state.PartialSeconds,
                ImagesPerSecond = state.Seen / Math.Max(watch.Elapsed.TotalSeconds + state.PartialSeconds, 1e-9),
            };
            state.History.Add(metrics);
            double monitored = metrics.Monitored(c.MonitorMetric);
            bool improved = EarlyStopping.Update(higher, monitored, ref state.Best, ref state.BadEpochs);
            plateau?.Step(monitored);

            state.Epoch = epoch + 1;
            state.BatchInEpoch = 0;
            state.LossSum = 0; state.Correct = 0; state.Seen = 0; state.PartialSeconds = 0;
            var meta = metadata with { Metrics = metrics.ToDictionary() };
            SaveState(LastPath, model, optimizer, schedule, plateau, meta, state);
            if (improved) Checkpoint.Save(BestPath, model, meta);
            if (c.SaveEveryEpochs > 0 && (epoch + 1) % c.SaveEveryEpochs == 0)
                Checkpoint.Save(Path.Combine(c.OutputDir, $"epoch{epoch + 1:D3}.safetensors"), model, meta);
            RunLog.WriteMetrics(c.OutputDir, state.History);
            RunLog.WritePlots(c.OutputDir, state.History);
            _observer.EpochFinished(metrics, improved);

            if (EarlyStopping.ShouldStop(c.EarlyStoppingPatience, state.BadEpochs) && epoch + 1 < c.NumEpochs)
            {
                var msg = $"Early stopping after epoch {epoch + 1}: {c.MonitorMetric} did not improve for {state.BadEpochs} epochs (best {state.Best:G4}).";
                _observer.Message(msg);
                return Finish(StopReason.EarlyStopping, state, model, metadata, msg);
            }
            if (cancel.IsCancellationRequested)
            {
                var msg = $"Interrupted after epoch {epoch + 1}: state saved to {LastPath}. Continue with --resume {LastPath}.";
                return Finish(StopReason.Interrupted, state, model, metadata, msg, writeFinal: false);
            }
        }
        return Finish(StopReason.Completed, state, model, metadata, $"Training finished after {state.Epoch} epochs.");
    }

    private TrainingResult Finish(StopReason reason, RunState state, Lfm2VlModel model, CheckpointMetadata metadata, string message, bool writeFinal = true)
    {
        if (writeFinal && state.History.Count > 0)
        {
            // The final model is the best one when validation ever improved, else the current weights.
            if (File.Exists(BestPath)) File.Copy(BestPath, FinalModelPath, overwrite: true);
            else Checkpoint.Save(FinalModelPath, model, metadata with { Metrics = state.History[^1].ToDictionary() });
        }
        return new TrainingResult(reason, state.History, _config.OutputDir, BestPath, LastPath, FinalModelPath, message);
    }

    /// <summary>
    /// Validation in eval mode without autograd, through the evaluator: loss, top-1 and top-5 accuracy, and
    /// detection mAP@0.5 when the model has a detector and the split has boxes (NaN otherwise).
    /// </summary>
    public static (double Loss, double Accuracy, double Top5, double Map50) Validate(Lfm2VlModel model, IReadOnlyList<string> classNames, ImageBatchLoader loader)
    {
        var evaluator = new ModelEvaluator(model, classNames, options: new EvaluatorOptions { TopK = [1, 5] });
        var r = evaluator.Evaluate(loader.Epoch(0).Select(b => new EvalBatch(b.Images, b.Labels, b.Boxes)));
        if (r.ImageCount == 0) return (double.NaN, double.NaN, double.NaN, double.NaN);
        double top5 = r.Classification.TopKAccuracyFor(5) ?? r.Accuracy;
        return (r.Loss, r.Accuracy, top5, r.Detection?.MapAt50 ?? double.NaN);
    }

    // ---- resumable state ----------------------------------------------------------------------------

    private sealed class RunState
    {
        public int Epoch;
        public int BatchInEpoch;
        public double LossSum;
        public int Correct;
        public int Seen;
        public double PartialSeconds;
        public double Best = double.NaN;
        public int BadEpochs;
        public List<EpochMetrics> History = new();
    }

    private static IEnumerable<(string Name, Dropout Dropout)> Dropouts(Module model) =>
        model.NamedModules().Where(m => m.Module is Dropout).Select(m => (m.Name, (Dropout)m.Module));

    private static void SaveState(string path, Lfm2VlModel model, Optimizer optimizer, LrScheduler? schedule, ReduceLROnPlateau? plateau,
        CheckpointMetadata metadata, RunState s)
    {
        using var scope = TensorScope.Begin();
        using var ts = new TrainingState();
        ts.AddCopies(Checkpoint.ModelPrefix, model.StateDict());
        using (var opt = optimizer.GetState()) ts.Absorb(Checkpoint.OptimizerPrefix, opt);
        if (schedule is not null) ts.AddScalars("schedule.", schedule.GetState());
        if (plateau is not null) ts.AddScalars("plateau.", plateau.GetState());
        ts.Scalars["trainer.epoch"] = s.Epoch;
        ts.Scalars["trainer.batch"] = s.BatchInEpoch;
        ts.Scalars["trainer.loss_sum"] = s.LossSum;
        ts.Scalars["trainer.correct"] = s.Correct;
        ts.Scalars["trainer.seen"] = s.Seen;
        ts.Scalars["trainer.best"] = s.Best;
        ts.Scalars["trainer.bad_epochs"] = s.BadEpochs;
        foreach (var (name, d) in Dropouts(model)) ts.AddGenerator("dropout." + name, d.Generator);
        foreach (var (k, v) in metadata.ToStrings()) ts.Metadata[k] = v;
        ts.Metadata["history"] = JsonSerializer.Serialize(s.History.Select(h => h.ToDictionary()), CheckpointMetadata.JsonOptions);
        ts.Save(path);
    }

    private RunState Restore(string path, Lfm2VlModel model, Optimizer optimizer, LrScheduler? schedule, ReduceLROnPlateau? plateau, IReadOnlyList<string> classNames)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Cannot resume: '{path}' does not exist.", path);
        using var ts = TrainingState.Load(path);
        var meta = CheckpointMetadata.FromStrings(ts.Metadata, path);
        if (!meta.ClassNames.SequenceEqual(classNames))
            throw new InvalidDataException($"Cannot resume from '{path}': it was trained on classes [{string.Join(", ", meta.ClassNames)}], the data has [{string.Join(", ", classNames)}].");
        if (meta.Model != model.Config)
            throw new InvalidDataException($"Cannot resume from '{path}': it holds a {meta.Model.Name} model, the config asks for {model.Config.Name}.");
        if (!ts.Scalars.ContainsKey("trainer.epoch"))
            throw new InvalidDataException($"'{path}' holds model weights only, not a training state; resume from last.safetensors of a run.");
        using (var weights = ts.Extract(Checkpoint.ModelPrefix))
        {
            try { model.LoadStateDict(weights.Tensors, strict: true); }
            catch (StateDictMismatchException e) { throw new InvalidDataException($"Cannot resume from '{path}': {e.Result.Describe()}", e); }
        }
        using (var opt = ts.Extract(Checkpoint.OptimizerPrefix)) optimizer.SetState(opt);
        if (schedule is not null) schedule.SetState(ts.ScalarsUnder("schedule."));
        if (plateau is not null) plateau.SetState(ts.ScalarsUnder("plateau."));
        foreach (var (name, d) in Dropouts(model)) ts.RestoreGenerator("dropout." + name, d.Generator);
        var history = JsonSerializer.Deserialize<List<Dictionary<string, double>>>(ts.Metadata.GetValueOrDefault("history", "[]"), CheckpointMetadata.JsonOptions)!;
        var s = new RunState
        {
            Epoch = (int)ts.Scalar("trainer.epoch"),
            BatchInEpoch = (int)ts.Scalar("trainer.batch"),
            LossSum = ts.Scalar("trainer.loss_sum"),
            Correct = (int)ts.Scalar("trainer.correct"),
            Seen = (int)ts.Scalar("trainer.seen"),
            Best = ts.Scalar("trainer.best"),
            BadEpochs = (int)ts.Scalar("trainer.bad_epochs"),
            History = history.Select(EpochMetrics.FromDictionary).ToList(),
        };
        _observer.Message($"Resumed from {path}: epoch {s.Epoch + 1}, batch {s.BatchInEpoch}.");
        return s;
    }
}
