package nnet.check;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nnet.ir.Node;
import nnet.ir.Op;

/**
 * The names of nodes' units while a network is checked (LANGUAGE.md §4, Names): an input's come
 * from {@code names "x.txt"}, a layer's from {@code names:} or from the tables its connections are
 * read from. A node computed from a named one element by element (an activation, a bias, a gate's
 * side, a sum, a reshape) has the same names; a concatenation along its first axis has the parts'
 * names in a row.
 */
final class Naming {
    /** One node's names in the order of its elements (row-major), each once. */
    static final class Names {
        final List<String> list;
        /** Name to unit, built on first use: a table of 100,000 names then resolves in linear time. */
        private Map<String, Integer> index;

        Names(List<String> list) {
            this.list = List.copyOf(list);
        }

        int size() {
            return list.size();
        }

        /** The unit of that name, or -1. */
        int indexOf(String name) {
            if (index == null) {
                index = new HashMap<>(list.size() * 2);
                for (int k = 0; k < list.size(); k++) index.putIfAbsent(list.get(k), k);
            }
            return index.getOrDefault(name, -1);
        }

        /** The first few names, for messages: {@code HERC2, BRCA2, ApoE, ...}. */
        String sample() {
            return String.join(", ", list.subList(0, Math.min(3, list.size()))) + (list.size() > 3 ? ", ..." : "");
        }
    }

    private final Map<Node, Names> byNode = new IdentityHashMap<>();

    Names of(Node n) {
        return n == null ? null : byNode.get(n);
    }

    /** {@code n}'s names, or null. */
    List<String> listOf(Node n) {
        Names names = byNode.get(n);
        return names == null ? null : names.list;
    }

    void name(Node n, Names names) {
        if (names != null) byNode.put(n, names);
    }

    /** Called for every new node: the names it takes from its inputs, if any. */
    void inherit(Node n) {
        if (n.op() == Op.CONCAT && (Integer) n.arg() == 0) {
            concat(n);
            return;
        }
        if (!Op.ELEMENTWISE.contains(n.op()) && n.op() != Op.SOFTMAX && n.op() != Op.RESHAPE) return;
        for (Node in : n.inputs()) {
            Names names = byNode.get(in);
            if (names != null && names.size() == n.shape().sizeLong()) {
                byNode.put(n, names);
                return;
            }
        }
    }

    /**
     * Parts concatenated along the first axis follow each other in row-major order: their names in a
     * row, the concatenation's own {@code c[3]} for an element of a part without names; qualified by
     * the part ({@code h.HERC2}) when two parts share a name.
     */
    private void concat(Node n) {
        if (n.inputs().stream().noneMatch(byNode::containsKey)) return;
        List<String> all = new ArrayList<>();
        boolean clash = false;
        Set<String> seen = new HashSet<>();
        for (Node part : n.inputs()) {
            Names names = byNode.get(part);
            for (int k = 0; k < part.shape().size(); k++) {
                String name = names != null ? names.list.get(k) : n.label() + "[" + all.size() + "]"; // what predict calls that column
                clash |= !seen.add(name);
                all.add(name);
            }
        }
        if (clash) {
            all.clear();
            for (Node part : n.inputs()) {
                Names names = byNode.get(part);
                for (int k = 0; k < part.shape().size(); k++) all.add(part.label() + (names != null ? "." + names.list.get(k) : "[" + k + "]"));
            }
        }
        byNode.put(n, new Names(all));
    }

    /** Every named node's names, for the graph. */
    Map<Node, List<String>> all() {
        Map<Node, List<String>> out = new IdentityHashMap<>();
        byNode.forEach((n, names) -> out.put(n, names.list));
        return out;
    }
}
