package nnet.spark;

import java.util.List;
import nnet.runtime.DataFormatException;
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
            if (i < 0) throw new DataFormatException("the data has no column '" + c + "' for " + what + " (its columns: " + String.join(", ", schema.fieldNames()) + ")");
            DataType t = schema.fields()[i].dataType();
            boolean ok = t instanceof NumericType || t instanceof ArrayType a && a.elementType() instanceof NumericType;
            if (!ok) throw new DataFormatException("column '" + c + "' for " + what + " is " + t.simpleString() + ": expected an array of numbers or a number");
            at[k] = i;
        }
        return at;
    }

    /** The numbers of a row's cell; {@code what} names the cell (with its row) in an error. */
    static float[] values(Row row, int column, String what) {
        if (row.isNullAt(column)) throw new DataFormatException(what + " is null, where numbers belong");
        return row.get(column) instanceof Number n ? new float[] {n.floatValue()} : values(row.getList(column), what);
    }

    /** {@link #values(Row, int, String)}, which must be {@code expected} numbers. */
    static float[] values(Row row, int column, int expected, String what) {
        float[] out = values(row, column, what);
        if (out.length != expected) throw new DataFormatException(what + " has " + out.length + " values, but takes " + expected);
        return out;
    }

    private static float[] values(List<?> list, String what) {
        float[] out = new float[list.size()];
        for (int k = 0; k < out.length; k++) {
            if (!(list.get(k) instanceof Number n)) throw new DataFormatException(what + " holds " + list.get(k) + " where a number belongs");
            out[k] = n.floatValue();
        }
        return out;
    }

    static StructField floatArray(String name) {
        return DataTypes.createStructField(name, DataTypes.createArrayType(DataTypes.FloatType, false), false);
    }
}
