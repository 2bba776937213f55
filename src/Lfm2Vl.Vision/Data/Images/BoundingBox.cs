namespace Lfm2Vl.Vision.Data;

/// <summary>
/// An axis-aligned box in pixel coordinates of its image, edges as floats: pixel (x, y) covers
/// [x, x+1) x [y, y+1), so a box around exactly that pixel is (x, y, x+1, y+1). <see cref="Label"/> is the
/// index of the box's class in the dataset's class list.
/// </summary>
public readonly record struct BoundingBox(float X1, float Y1, float X2, float Y2, int Label)
{
    public float Width => X2 - X1;
    public float Height => Y2 - Y1;
    public float Area => Width > 0 && Height > 0 ? Width * Height : 0;

    /// <summary>From COCO's [x, y, width, height].</summary>
    public static BoundingBox FromXywh(float x, float y, float w, float h, int label) => new(x, y, x + w, y + h, label);

    /// <summary>Clipped to [0, width] x [0, height].</summary>
    public BoundingBox Clip(float width, float height) => new(
        Math.Clamp(X1, 0, width), Math.Clamp(Y1, 0, height),
        Math.Clamp(X2, 0, width), Math.Clamp(Y2, 0, height), Label);

    public bool IsInside(float width, float height) => X1 >= 0 && Y1 >= 0 && X2 <= width && Y2 <= height && X1 <= X2 && Y1 <= Y2;

    public override string ToString() => $"[{X1:0.##}, {Y1:0.##}, {X2:0.##}, {Y2:0.##}] #{Label}";
}
