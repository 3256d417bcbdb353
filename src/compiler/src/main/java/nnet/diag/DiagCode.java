package nnet.diag;

/**
 * Stable keys of every diagnostic. Tests and tools ({@code check --json}, the language server)
 * match on the key, so the English wording can improve without breaking them. Every key has a
 * case under {@code src/test/resources/cases/} (checked by {@code DiagCodeCoverageTest}).
 */
public enum DiagCode {
    // the file itself
    SOURCE_FILE("source.file"),                // cannot be read (missing, a directory, no permission)
    SOURCE_BINARY("source.binary"),            // binary data, not text
    // syntax
    SYNTAX_UNCLOSED("syntax.unclosed"),        // missing ')' to close 'dense(' at 3:7
    SYNTAX_UNEXPECTED("syntax.unexpected"),    // expected X, found Y
    SYNTAX_TOKEN("syntax.token"),              // a character that starts no token
    SYNTAX_UNTERMINATED("syntax.string"),      // a string without its closing quote
    SYNTAX_DEPTH("syntax.depth"),              // nested deeper than any later phase may recurse
    SYNTAX_ARGUMENT("syntax.argument"),        // a named argument written with '=' (units=2), as in Python
    // names
    NAME_UNKNOWN("name.unknown"),
    NAME_DUPLICATE("name.duplicate"),
    NAME_KIND("name.kind"),                    // a name of the wrong kind (a const where a node is needed...)
    // calls and arguments
    CALL_UNKNOWN("call.unknown"),
    ARG_COUNT("arg.count"),
    ARG_UNKNOWN("arg.unknown"),
    ARG_DUPLICATE("arg.duplicate"),
    ARG_KIND("arg.kind"),                      // wrong kind of value: a number where a node is needed...
    ARG_VALUE("arg.value"),                    // right kind, bad value: negative units, density > 1...
    // shapes
    SHAPE_MISMATCH("shape.mismatch"),
    SHAPE_RANK("shape.rank"),
    SHAPE_SIZE("shape.size"),                  // too large to allocate, or not positive
    // connectivity and weights
    MASK_SIZE("mask.size"),
    MASK_VALUE("mask.value"),
    MASK_FILE("mask.file"),
    PATTERN_UNKNOWN("pattern.unknown"),
    PATTERN_PRECONDITION("pattern.precondition"),
    EDGE_RANGE("edge.range"),
    WEIGHTS_SIZE("weights.size"),
    WEIGHTS_INIT("weights.init"),              // warning: init: beside weights:, which gives the values (init: is ignored)
    // names of units (names files, topology tables, GMT files)
    NAMES_FILE("names.file"),                  // a names source cannot be read, or a line has no name
    NAMES_DUPLICATE("names.duplicate"),        // one name for two units (or a pathway on two lines)
    NAMES_COUNT("names.count"),                // as many names as units, or a table's count against the layer's
    NAMES_UNKNOWN("names.unknown"),            // a table names a unit its layer or input does not have
    TABLE_COLUMN("table.column"),              // a column the header lacks
    // structure of a network or block
    GATE_TARGETS("gate.targets"),
    OUTPUT_MISSING("output.missing"),
    INPUT_MISSING("input.missing"),
    INPUT_UNUSED("input.unused"),              // warning: an input no output depends on
    INPUT_TYPE("input.type"),                  // an unknown input type; token ids where floats are read, or floats where token ids are
    LOSS_UNKNOWN("loss.unknown"),
    LOSS_TARGET("loss.target"),
    LOSS_SEVERAL("loss.several"),              // a second loss on the same output
    LOSS_WEIGHT("loss.weight"),                // a loss's weight is negative or not finite
    LOSS_CLASS_WEIGHTS("loss.classweights"),  // class_weights: not one per class, negative, or on a loss without one class per sample
    LOSS_SOFTMAX("loss.softmax"),              // warning: cross_entropy on an output that already is a softmax
    LOSS_RANGE("loss.range"),                  // warning: binary_cross_entropy on an output that is not a probability
    LOSS_MISSING("loss.missing"),              // warning: train settings in a network without a loss
    CONNECT_UNCONNECTED("connect.unconnected"), // warning: units of a sparse layer that no input feeds
    TRAIN_SETTING("train.setting"),
    BLOCK_RETURN("block.return"),
    BLOCK_RECURSION("block.recursion"),
    BLOCK_EXPANSION("block.expansion"),        // blocks calling blocks expand past the limit
    STMT_PLACE("stmt.place"),                  // a statement where it cannot stand (return in a network...)
    CONST_VALUE("const.value");

    private final String key;

    DiagCode(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }
}
