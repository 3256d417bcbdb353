package nnet.spark;

import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A row's columns as the arrays a network takes: one array column per input (or a number, for an
 * input of one value), float, double or integer elements. Checked once against the schema, so a
 * wrong column fails before any task runs, with the column's name.
 */
final class RowArrays {
    private RowArrays() {}

    /** The positions of {@code columns} in {@code schema}, each an array of numbers or a number. */
    static int[] positions(StructType schema, List<String> columns, String what) {
        int[] at = new int[columns.size()];
        for (int k = 0; k < at.length; k++) {
            String c = columns.get(k);
            int i = List.of(schema.fieldNames()).indexOf(c);
            if (i < 0) throw new IllegalArgumentException("the data has no column '" + c + "' for " + what + " (its columns: " + String.join(", ", schema.fieldNames()) + ")");
            DataType t = schema.fields()[i].dataType();
            boolean ok = t instanceof NumericType || t instanceof ArrayType a && a.elementType() instanceof NumericType;
            if (!ok) throw new IllegalArgumentException("column '" + c + "' for " + what + " is " + t.simpleString() + ": expected an array of numbers or a number");
            at[k] = i;
        }
        return at;
    }

    static float[] values(Row row, int column, int expected, String what) {
        if (row.isNullAt(column)) throw new IllegalArgumentException(what + ": a row has null where numbers belong");
        float[] out = row.get(column) instanceof Number n ? new float[] {n.floatValue()} : values(row.getList(column));
        if (out.length != expected) throw new IllegalArgumentException(what + " takes " + expected + " values, a row has " + out.length);
        return out;
    }

    private static float[] values(List<?> list) {
        float[] out = new float[list.size()];
        for (int k = 0; k < out.length; k++) {
            if (!(list.get(k) instanceof Number n)) throw new IllegalArgumentException("a row's array holds " + list.get(k) + " where a number belongs");
            out[k] = n.floatValue();
        }
        return out;
    }

    static StructField floatArray(String name) {
        return DataTypes.createStructField(name, DataTypes.createArrayType(DataTypes.FloatType, false), false);
    }
}
