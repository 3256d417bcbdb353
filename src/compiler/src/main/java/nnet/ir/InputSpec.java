package nnet.ir;

/**
 * The arg of an INPUT node that is not plain floats in nnet's order: {@code type} is {@link
 * Op.InputType#INT} for token ids ({@code input tokens[100] int}), {@code layout} is {@link
 * ImageLayout#NHWC} for images whose files hold {@code [H, W, C]} ({@code layout: nhwc}); each null
 * when not so. A plain input has no arg at all.
 */
public record InputSpec(Op.InputType type, ImageLayout layout) {
    /** The arg for an input of this type and layout: null when it has neither. */
    public static InputSpec of(Op.InputType type, ImageLayout layout) {
        return type == null && layout == null ? null : new InputSpec(type, layout);
    }

    @Override
    public String toString() {
        return (type == null ? "" : type.toString()) + (type != null && layout != null ? " " : "") + (layout == null ? "" : "layout: " + layout.name().toLowerCase(java.util.Locale.ROOT));
    }
}
