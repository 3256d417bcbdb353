package nnet.check;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnet.ast.Ast;
import nnet.diag.DiagCode;
import nnet.diag.Diagnostic;
import nnet.diag.Diagnostics;
import nnet.diag.Fix;
import nnet.diag.Span;
import nnet.ir.Graph;
import nnet.ir.Node;
import nnet.ir.Op;
import nnet.ir.Param;
import nnet.ir.Shape;

/**
 * Checks one network and builds its graph in the same walk: the shape of a node is its type, so
 * checking a statement and building its node are one step. Blocks are expanded at each call with
 * their names prefixed ({@code r1.h}). Errors are reported and the walk goes on with the value
 * poisoned (null), so later independent errors are still found and dependent ones are not.
 */
final class NetworkChecker implements Reporter {
    /**
     * Block bodies one network may expand. A block that calls the previous one twice doubles the
     * count at each level: 26 such lines would expand 2^26 bodies and never finish.
     */
    static final int MAX_EXPANSIONS = 10_000;

    /** A name's value (null after an error) and where it was defined. */
    record Binding(Value value, Span defined) {}

    /** A block expansion under way: errors inside name it as a note, unless the block is checked on its own. */
    private record CallSite(Ast.BlockDecl block, Span span, String prefix, boolean noted) {}

    /** Names visible in a network body or in one block expansion. */
    private static final class Scope {
        final String prefix;
        final Map<String, Binding> names = new LinkedHashMap<>();

        Scope(String prefix) {
            this.prefix = prefix;
        }
    }

    private final FileScope fileScope;
    private final Map<String, Ast.BlockDecl> blocks;
    private final Graph.Builder g;
    private final Deque<CallSite> calls = new ArrayDeque<>();
    private Scope scope;
    /** Weight-holding calls of the current statement and the layer name each takes (§6). */
    private Map<Ast.Call, String> layerNames = new IdentityHashMap<>();
    private long totalFloats;
    private int expansions;
    /** What made a node, where the loss cares: an activation's name, or "dense"/"conv2d" for a layer without one. */
    private final Map<Node, String> producers = new IdentityHashMap<>();
    final Literals literals;
    final Patterns patterns;
    /** The names of units (LANGUAGE.md §4, Names): by node, and where they come from. */
    final Naming naming = new Naming();
    final NameSources nameSources;
    private final Layers layers;
    private final Symbols symbols;

    /** @param symbols where bindings and uses go: the file's, or a scratch one for a block checked without a call */
    NetworkChecker(FileScope fileScope, String graphName, Symbols symbols) {
        this.fileScope = fileScope;
        this.symbols = symbols;
        this.blocks = fileScope.blocks;
        this.g = new Graph.Builder(graphName, fileScope.file);
        this.literals = new Literals(this, this::number);
        this.patterns = new Patterns(this, literals, this::number, fileScope.baseDir);
        this.nameSources = new NameSources(this, fileScope.baseDir, patterns.tables);
        this.layers = new Layers(this);
    }

    @Override
    public void error(DiagCode code, Span span, String message, List<Fix> fixes) {
        report(code, span, message, Diagnostic.Severity.ERROR, fixes);
    }

    void warning(DiagCode code, Span span, String message) {
        report(code, span, message, Diagnostic.Severity.WARNING, List.of());
    }

    private void report(DiagCode code, Span span, String message, Diagnostic.Severity severity, List<Fix> fixes) {
        List<Diagnostic.Note> notes = new ArrayList<>();
        for (CallSite c : calls)
            if (c.noted) notes.add(new Diagnostic.Note(c.span, "in block '" + c.block.name().name() + "' called here as " + c.prefix));
        fileScope.diags.add(new Diagnostic(code, span, message, notes, severity, fixes));
    }

    /** The consts declared outside any network: evaluated in order, then visible everywhere. */
    void checkConsts(List<Ast.ConstDecl> consts) {
        scope = new Scope("");
        for (Ast.ConstDecl c : consts) statement(new Ast.ConstStmt(c.span(), c.name(), c.value()));
        fileScope.globals.putAll(scope.names);
    }

    /** A block no network expands, checked once with its parameters unknown (poisoned): what fails for any argument is reported. */
    void checkUncalled(Ast.BlockDecl block) {
        scope = new Scope("");
        calls.push(new CallSite(block, block.span(), block.name().name(), false));
        for (Ast.Ident p : block.params()) define(p, null);
        body(block, block.name().name(), null);
    }

    Graph check(Ast.NetworkDecl net) {
        scope = new Scope("");
        List<Ast.LossStmt> losses = new ArrayList<>();
        List<Ast.OutputStmt> outputs = new ArrayList<>();
        boolean hasInput = false;
        Ast.TrainStmt train = null;
        for (Ast.Stmt s : net.body()) {
            if (s instanceof Ast.OutputStmt o) outputs.add(o);
            else if (s instanceof Ast.LossStmt l) losses.add(l);
            else if (s instanceof Ast.TrainStmt t) {
                new TrainSettingsChecker(this).check(t).ifPresent(g::train);
                train = t;
            }
            else if (s instanceof Ast.InputStmt in) {
                input(in);
                hasInput = true;
            } else if (s instanceof Ast.ReturnStmt r) error(DiagCode.STMT_PLACE, r.span(), "'return' belongs in a block; a network names its results with 'output'");
            else statement(s);
        }
        // names, not nodes: an output whose statement has an error is still an output, and the loss must not say otherwise
        Map<String, Node> outs = new LinkedHashMap<>();
        for (Ast.OutputStmt o : outputs)
            for (Ast.Ident id : o.names()) {
                Node n = tensorNamed(id);
                if (n != null) g.output(n);
                outs.putIfAbsent(id.name(), n);
            }
        if (outputs.isEmpty()) error(DiagCode.OUTPUT_MISSING, net.name().span(), "network " + net.name().name() + " has no output; add 'output <name>'");
        if (!hasInput) error(DiagCode.INPUT_MISSING, net.name().span(), "network " + net.name().name() + " has no input; add e.g. 'input x[4]'");
        LossChecker lossChecker = new LossChecker(this, producers);
        lossChecker.checkAll(losses, outs, outputs.isEmpty()).forEach(g::loss);
        naming.all().forEach(g::unitNames);
        if (train != null && losses.isEmpty())
            warning(DiagCode.LOSS_MISSING, train.span(), "network " + net.name().name() + " has train settings but no loss, so nothing to train; add one, e.g. 'loss mse'");
        if (totalFloats > Sizes.MAX_TOTAL) error(DiagCode.SHAPE_SIZE, net.name().span(), Sizes.totalTooLarge(net.name().name(), totalFloats));
        return g.build();
    }

    // ---- statements

    private void input(Ast.InputStmt in) {
        Node n = new InputChecker(this).check(in);
        define(in.name(), n == null ? null : new Value.Tensor(n));
    }

    /** const, assignment; shared by networks and blocks. */
    private void statement(Ast.Stmt s) {
        if (s instanceof Ast.ConstStmt c) {
            Value v = eval(c.value(), null);
            if (v != null && !(v instanceof Value.Number)) {
                error(DiagCode.CONST_VALUE, c.value().span(), "const " + c.name().name() + " must be a number known at compile time, found a tensor");
                v = null;
            }
            define(c.name(), v);
        } else if (s instanceof Ast.AssignStmt a) assign(a);
        else if (s instanceof Ast.InputStmt) error(DiagCode.STMT_PLACE, s.span(), "'input' belongs in a network; a block takes its inputs as parameters");
        else if (s instanceof Ast.OutputStmt) error(DiagCode.STMT_PLACE, s.span(), "'output' belongs in a network; a block gives its result with 'return'");
        else if (s instanceof Ast.LossStmt) error(DiagCode.STMT_PLACE, s.span(), "'loss' belongs in a network");
        else if (s instanceof Ast.TrainStmt) error(DiagCode.STMT_PLACE, s.span(), "'train' belongs in a network");
        else error(DiagCode.STMT_PLACE, s.span(), "'return' must be the last statement of a block");
    }

    private void assign(Ast.AssignStmt a) {
        String base = scope.prefix + a.targets().get(0).name();
        nameLayers(a.value(), base);
        boolean isGate = a.value() instanceof Ast.Call c && c.callee().name().equals("gate");
        int firstWeight = symbols.weightCount();
        if (isGate) {
            Ast.Call c = (Ast.Call) a.value();
            if (a.targets().size() != 2) {
                error(DiagCode.GATE_TARGETS, a.span(), "gate gives two values, the part sent on and the part that skips: write 'next, skip = gate(h, g)'");
                for (Ast.Ident t : a.targets()) define(t, null);
                return;
            }
            Node[] parts = layers.gate(c, scope.prefix + a.targets().get(0).name(), scope.prefix + a.targets().get(1).name());
            define(a.targets().get(0), parts == null ? null : new Value.Tensor(parts[0]), symbols.weightsSince(firstWeight));
            define(a.targets().get(1), parts == null ? null : new Value.Tensor(parts[1]));
            return;
        }
        if (a.targets().size() != 1) {
            error(DiagCode.GATE_TARGETS, a.targets().get(1).span(), "only gate(h, g) binds two names; this expression gives one value");
            for (Ast.Ident t : a.targets()) define(t, null);
            return;
        }
        Value v = eval(a.value(), base);
        if (v instanceof Value.Tensor t && !base.equals(t.node().name())) g.alias(base, t.node());
        define(a.targets().get(0), v, symbols.weightsSince(firstWeight));
    }

    /** LANGUAGE.md §6: the layers of one statement take its name, then name_1, name_2... in source order. */
    private void nameLayers(Ast.Expr e, String base) {
        layerNames = LayerNames.of(e, base, blocks.keySet());
    }

    String layerName(Ast.Call c) {
        String n = layerNames.get(c);
        return n != null ? n : scope.prefix + c.callee().name() + "_" + c.span().line() + "_" + c.span().col();
    }

    private void define(Ast.Ident id, Value v) {
        define(id, v, List.of(), null);
    }

    private void define(Ast.Ident id, Value v, List<Param> weights) {
        define(id, v, weights, null);
    }

    /**
     * @param weights the weights the binding statement created, for tools that show them
     * @param site    the block call whose argument a parameter takes, for tools that show it there; else null
     */
    private void define(Ast.Ident id, Value v, List<Param> weights, Span site) {
        Binding old = binding(id.name());
        if (old != null) {
            error(DiagCode.NAME_DUPLICATE, id.span(), "'" + id.name() + "' is already defined at " + old.defined().line() + ":" + old.defined().col()
                    + (scope.names.containsKey(id.name()) ? "" : " (a const of the file)") + "; every statement binds a new name");
            return;
        }
        scope.names.put(id.name(), new Binding(v, id.span()));
        symbols.bound(id.span(), scope.prefix + id.name(), v, weights, v instanceof Value.Tensor t ? naming.listOf(t.node()) : null, site);
    }

    // ---- expressions

    /** Evaluates an expression; {@code name} names the node it produces (the statement's target), or null. */
    Value eval(Ast.Expr e, String name) {
        if (e instanceof Ast.Num n) return new Value.Number(n.value(), n.integral());
        if (e instanceof Ast.Name n) return lookup(n.name(), n.span());
        if (e instanceof Ast.Unary u) return negate(u, name);
        if (e instanceof Ast.Binary b) return binary(b, name);
        if (e instanceof Ast.Call c) return call(c, name);
        if (e instanceof Ast.Str) return misplaced(e, "a string is only meaningful as a mask file: connect: mask \"conn.csv\"");
        if (e instanceof Ast.ListExpr) return misplaced(e, "a list is only meaningful as an argument (a shape, a mask, weights)");
        if (e instanceof Ast.Tagged t) return misplaced(t, "'" + t.tag().name() + " [...]' is only meaningful as an argument such as connect:, weights: or bias:");
        if (e instanceof Ast.Edge) return misplaced(e, "'->' is only meaningful inside edges [...]");
        if (e instanceof Ast.Invalid) return null; // a syntax error, reported by the parser
        return misplaced(e, "'..' is only meaningful inside edges [...]");
    }

    private Value misplaced(Ast.Expr e, String message) {
        error(DiagCode.ARG_KIND, e.span(), message);
        return null;
    }

    /** The name in the current scope, else among the file's consts. */
    private Binding binding(String name) {
        Binding b = scope.names.get(name);
        return b != null ? b : fileScope.globals.get(name);
    }

    private Value lookup(String name, Span span) {
        Binding b = binding(name);
        if (b != null) {
            symbols.used(span, b.defined());
            return b.value();
        }
        if (Layers.ACTIVATIONS.contains(name) || Layers.CALLS.contains(name))
            error(DiagCode.NAME_KIND, span, "'" + name + "' is a layer or activation, not a value; call it, e.g. " + name + "(x)");
        else if (blocks.containsKey(name))
            error(DiagCode.NAME_KIND, span, "'" + name + "' is a block; call it, e.g. " + name + "(x, ...)");
        else {
            List<String> known = new ArrayList<>(scope.names.keySet());
            known.addAll(fileScope.globals.keySet());
            error(DiagCode.NAME_UNKNOWN, span, "unknown name '" + name + "'" + Suggest.didYouMean(name, known), Suggest.fix(span, name, known));
        }
        return null;
    }

    private Value negate(Ast.Unary u, String name) {
        Value v = eval(u.operand(), null);
        if (v instanceof Value.Number n) return new Value.Number(-n.value(), n.integral());
        if (v instanceof Value.Tensor t) return new Value.Tensor(node(Op.MUL, t.node().shape(), List.of(constant(-1, u.span()), t.node()), null, name, u.span()));
        return null;
    }

    private Value binary(Ast.Binary b, String name) {
        if (b.op().equals("|") || b.op().equals("&"))
            return misplaced(b, "'" + b.op() + "' combines connectivity patterns; it is only meaningful in connect:");
        Value l = eval(b.left(), null), r = eval(b.right(), null);
        if (l == null || r == null) return null;
        Op op = switch (b.op()) {
            case "+" -> Op.ADD;
            case "-" -> Op.SUB;
            case "*" -> Op.MUL;
            default -> Op.DIV;
        };
        if (l instanceof Value.Number x && r instanceof Value.Number y) {
            if (op == Op.DIV && y.value() == 0) return misplaced(b.right(), "division by zero");
            double v = switch (op) {
                case ADD -> x.value() + y.value();
                case SUB -> x.value() - y.value();
                case MUL -> x.value() * y.value();
                default -> x.value() / y.value();
            };
            return new Value.Number(v, x.integral() && y.integral() && op != Op.DIV);
        }
        Node a = asNode(l, b.span()), c = asNode(r, b.span());
        Shape sa = a.shape(), sc = c.shape();
        if (!sa.equals(sc) && !sa.isScalar() && !sc.isScalar()) {
            error(DiagCode.SHAPE_MISMATCH, b.span(), "'" + b.op() + "' needs equal shapes: " + describe(b.left()) + " is " + sa + ", " + describe(b.right()) + " is " + sc);
            return null;
        }
        return new Value.Tensor(node(op, sa.isScalar() ? sc : sa, List.of(a, c), null, name, b.span()));
    }

    private Node asNode(Value v, Span span) {
        return v instanceof Value.Tensor t ? t.node() : constant((float) ((Value.Number) v).value(), span);
    }

    Node constant(float v, Span span) {
        return node(Op.CONST, Shape.SCALAR, List.of(), v, null, span);
    }

    private Value call(Ast.Call c, String name) {
        String f = c.callee().name();
        Ast.BlockDecl block = blocks.get(f);
        if (block != null) {
            symbols.used(c.callee().span(), block.name().span());
            return expand(block, c, name);
        }
        if (f.equals("gate")) {
            error(DiagCode.GATE_TARGETS, c.span(), "gate gives two values, the part sent on and the part that skips: write 'next, skip = gate(h, g)'");
            return null;
        }
        if (!Layers.CALLS.contains(f) && !Layers.ACTIVATIONS.contains(f)) {
            if (Patterns.NAMES.contains(f)) error(DiagCode.CALL_UNKNOWN, c.callee().span(), "'" + f + "' is a connectivity pattern; use it as connect: " + f + "(...)");
            else {
                List<String> known = new ArrayList<>(Layers.CALLS);
                known.addAll(Layers.ACTIVATIONS);
                known.addAll(blocks.keySet());
                error(DiagCode.CALL_UNKNOWN, c.callee().span(), "unknown layer or block '" + f + "'" + Suggest.didYouMean(f, known), Suggest.fix(c.callee().span(), f, known));
            }
            return null;
        }
        Node n = layers.call(c, name);
        return n == null ? null : new Value.Tensor(n);
    }

    /** Expands a block at a call: parameters bound to the arguments, names prefixed with the layer name of the call. */
    private Value expand(Ast.BlockDecl block, Ast.Call c, String name) {
        for (CallSite site : calls)
            if (site.block == block) {
                error(DiagCode.BLOCK_RECURSION, c.span(), "block '" + block.name().name() + "' calls itself; blocks are expanded at compile time and cannot recurse");
                return null;
            }
        List<Value> args = new ArrayList<>();
        boolean ok = true;
        for (Ast.Arg a : c.args()) {
            if (a.name() != null) {
                error(DiagCode.ARG_UNKNOWN, a.name().span(), "block arguments are positional: " + block.name().name() + "(" + String.join(", ", block.params().stream().map(Ast.Ident::name).toList()) + ")");
                ok = false;
                continue;
            }
            Value v = eval(a.value(), null);
            ok &= v != null;
            args.add(v);
        }
        if (c.args().size() != block.params().size()) {
            error(DiagCode.ARG_COUNT, c.span(), "block '" + block.name().name() + "' takes " + block.params().size() + " argument" + (block.params().size() == 1 ? "" : "s")
                    + " (" + String.join(", ", block.params().stream().map(Ast.Ident::name).toList()) + "), found " + c.args().size());
            return null;
        }
        if (!ok || !withinExpansionLimit(c)) return null;
        fileScope.expanded.add(block);
        String prefix = layerName(c);
        Scope outer = scope;
        Map<Ast.Call, String> outerLayers = layerNames;
        scope = new Scope(prefix + ".");
        calls.push(new CallSite(block, c.span(), prefix, true));
        try {
            for (int i = 0; i < args.size(); i++) define(block.params().get(i), args.get(i), List.of(), c.span());
            return body(block, prefix, name);
        } finally {
            calls.pop();
            scope = outer;
            layerNames = outerLayers;
        }
    }

    /** The statements of a block in the current scope; its returned value. */
    private Value body(Ast.BlockDecl block, String prefix, String name) {
        Value result = null;
        boolean returned = false;
        for (Ast.Stmt s : block.body()) {
            if (returned) {
                error(DiagCode.STMT_PLACE, s.span(), "statement after 'return' in block '" + block.name().name() + "'");
                break;
            }
            if (s instanceof Ast.ReturnStmt r) {
                nameLayers(r.value(), prefix);
                result = eval(r.value(), name);
                if (result instanceof Value.Tensor t && name != null && !name.equals(t.node().name())) g.alias(name, t.node());
                returned = true;
            } else statement(s);
        }
        if (!returned) error(DiagCode.BLOCK_RETURN, block.name().span(), "block '" + block.name().name() + "' has no 'return'");
        return result;
    }

    /**
     * Counts one more expansion; past {@link #MAX_EXPANSIONS}, reports once at the outermost call
     * (the statement of the network that set it off) and refuses this and every later one.
     */
    private boolean withinExpansionLimit(Ast.Call c) {
        if (++expansions <= MAX_EXPANSIONS) return true;
        if (expansions == MAX_EXPANSIONS + 1) {
            Span outermost = calls.isEmpty() ? c.span() : calls.getLast().span;
            fileScope.diags.error(DiagCode.BLOCK_EXPANSION, outermost, "this call expands blocks more than " + MAX_EXPANSIONS
                    + " times: blocks that call other blocks several times multiply at each level; call fewer times, or use fewer levels");
        }
        return false;
    }

    // ---- helpers for layers

    Node node(Op op, Shape shape, List<Node> in, Object arg, String name, Span span) {
        if (op != Op.EMBEDDING)
            for (Node i : in)
                if (i.integers()) error(DiagCode.INPUT_TYPE, span, "'" + i.name() + "' holds token ids ('input " + i.name() + i.shape() + " int'): only embedding("
                        + i.name() + ", vocab, dim) reads them");
        totalFloats = Sizes.plus(totalFloats, Sizes.elements(shape.dims()));
        Node n = g.add(op, shape, in, arg, name, span);
        naming.inherit(n);
        return n;
    }

    /** Records what made {@code n} (an activation's name, or a layer without one), for the loss's warnings. */
    Node producedBy(Node n, String what) {
        producers.put(n, what);
        return n;
    }

    /** {@code activity: l1(0.01)} on a layer's output: its penalty joins the loss trained. */
    void activity(Node n, nnet.runtime.math.Penalty p, Span span) {
        g.activity(new Graph.Activity(n, p, span));
    }

    void param(nnet.ir.Param p) {
        // a sparse param stores its present entries only
        totalFloats = Sizes.plus(totalFloats, p.present() == null ? Sizes.elements(p.shape().dims()) : p.count());
        symbols.weight(p);
        g.param(p);
    }

    /** Reports and returns false when a tensor of {@code elements} floats (as {@link Sizes} counts) cannot be allocated. */
    boolean sizeOk(Span span, long elements, String what) {
        return Sizes.check(this, span, elements, what);
    }

    Node tensor(Ast.Expr e, String what) {
        Value v = eval(e, null);
        if (v == null) return null;
        if (v instanceof Value.Tensor t) return t.node();
        error(DiagCode.ARG_KIND, e.span(), what + " must be a tensor, found the number " + Numbers.format(((Value.Number) v).value()));
        return null;
    }

    Node tensorNamed(Ast.Ident id) {
        return tensor(new Ast.Name(id.span(), id.name()), "'" + id.name() + "'");
    }

    Double number(Ast.Expr e) {
        Value v = eval(e, null);
        if (v == null) return null;
        if (v instanceof Value.Number n) return n.value();
        error(DiagCode.ARG_KIND, e.span(), "expected a number, found the tensor " + describe(e) + ((Value.Tensor) v).node().shape());
        return null;
    }

    Integer positiveInt(Ast.Expr e, String what) {
        Double d = number(e);
        if (d == null) return null;
        if (d != Math.rint(d) || d < 1) {
            error(DiagCode.ARG_VALUE, e.span(), what + " must be a whole number of at least 1, found " + Numbers.format(d));
            return null;
        }
        if (d > Sizes.MAX_TENSOR) {
            error(DiagCode.SHAPE_SIZE, e.span(), what + " is " + Numbers.format(d) + "; at most " + Sizes.MAX_TENSOR + " fit in a tensor");
            return null;
        }
        return (int) (double) d;
    }

    /** How to name an operand in a message: its name, or the call that makes it. */
    static String describe(Ast.Expr e) {
        if (e instanceof Ast.Name n) return n.name();
        if (e instanceof Ast.Call c) return c.callee().name() + "(...)";
        if (e instanceof Ast.Num n) return n.text();
        return "the expression";
    }
}
