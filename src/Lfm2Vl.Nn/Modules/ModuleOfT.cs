namespace Lfm2Vl.Nn.Modules;

/// <summary>A module with one input and one output (most layers: Module&lt;Tensor, Tensor&gt;).</summary>
public abstract class Module<TIn, TOut> : Module
{
    public abstract TOut Forward(TIn input);
}
