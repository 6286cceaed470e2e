package io.sparklstm.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.sparklstm.io.ModelFile;
import io.sparklstm.lstm.LstmConfig;
import io.sparklstm.model.HeadConfig;
import io.sparklstm.model.HeadMode;
import io.sparklstm.model.ModelConfig;
import io.sparklstm.model.ParameterInit;
import io.sparklstm.model.ParameterLayout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of bad input a user can give, through {@link Main} as on the command line: each case
 * must end with exit code 2, exactly one line on stderr that starts with {@code error: } and names
 * the cause (the expected words below), and nothing in the output directory: no model, metrics,
 * picture, checkpoint, table or temporary file (except where a case says what stays, and why).
 *
 * <p>The cases are also the table of docs/BAD_INPUT.md: run with {@code -Dsparklstm.writeDocs=true}
 * to write it; otherwise the test checks that the file is exactly what the cases give.
 *
 * <p>Each case runs in its own directory {@code <dir>} with the command's base config
 * ({@link #BASE_CONFIGS}) and data ({@link #DEFAULT_FILES}); outputs go to {@code <dir>/out}. In the
 * table and in the expected words, {@code <dir>/} is removed from paths.
 */
class BadInputCatalogueTest {
  static final Path DOC = Paths.get("..", "docs", "BAD_INPUT.md");
  static final String DIR = "$DIR/";

  /** The config each command runs with, before the case's overrides. */
  static final Map<String, String> BASE_CONFIGS = new LinkedHashMap<>();

  static {
    BASE_CONFIGS.put("train", """
        model.lstm { input-size = 3, hidden-size = 4 }
        model.head { output-size = 1, mode = last }
        model.loss = mse
        data.train { path = "$DIR/data.json", format = json }
        train { epochs = 2, batch-size = 2, workers = 2, shuffle = false }
        output.model = "$DIR/out/model.safetensors"
        """);
    BASE_CONFIGS.put("predict", """
        predict {
          model = "$DIR/model.safetensors"
          input { path = "$DIR/input.json", format = json }
          output.path = "$DIR/out/predictions"
          columns = [prediction, h_n]
        }
        """);
    BASE_CONFIGS.put("window", """
        window {
          input { path = "$DIR/series.json", format = json }
          output.path = "$DIR/out/windows"
          series-column = series
          time-column = time
          value-columns = [v]
          length = 2
        }
        """);
    BASE_CONFIGS.put("generate", """
        generate { count = 4, length = 5, output.path = "$DIR/out/generated" }
        """);
  }

  // ---- data ---------------------------------------------------------------------------------------

  /** Training rows 0, 1 and 3 (input-size 3; T = 2, 1, 3); a case supplies row 2. */
  static final String[] GOOD_FEATURES = {"[[0.1,0.2,0.3],[0.4,0.5,0.6]]", "[[0.2,0.1,0.0]]",
      "[[0.3,0.3,0.3],[0.1,0.1,0.1],[0.2,0.2,0.2]]"};

  /** data.json: good rows 0, 1, 3 with labels from {@code label} (given T), and {@code bad} as row 2. */
  static String trainData(IntFunction<String> label, String bad) {
    int[] steps = {2, 1, 3};
    int[] ids = {0, 1, 3};
    List<String> lines = new ArrayList<>();
    for (int k = 0; k < 3; k++) {
      lines.add("{\"id\":" + ids[k] + ",\"features\":" + GOOD_FEATURES[k] + ",\"label\":" + label.apply(steps[k])
          + "}");
      if (k == 1) {
        lines.add(bad);
      }
    }
    return String.join("\n", lines) + "\n";
  }

  static String trainData(String bad) {
    return trainData(t -> "0.5", bad);
  }

  static String perStep(int steps, String value) {
    return "[" + String.join(",", java.util.Collections.nCopies(steps, value)) + "]";
  }

  static final String GOOD_TRAIN = trainData("{\"id\":2,\"features\":[[0.5,0.5,0.5]],\"label\":0.0}");

  /** input.json for predict: rows 0, 1, 3 good, {@code bad} as row 2; h0 and c0 fit the LSTM(3, 4) model. */
  static String predictData(String bad) {
    List<String> lines = new ArrayList<>();
    for (int k = 0; k < 3; k++) {
      lines.add("{\"id\":" + (k < 2 ? k : 3) + ",\"features\":" + GOOD_FEATURES[k]
          + ",\"h0\":[[0.1,0.1,0.1,0.1]],\"c0\":[[0.0,0.0,0.0,0.0]]}");
      if (k == 1) {
        lines.add(bad);
      }
    }
    return String.join("\n", lines) + "\n";
  }

  static final String GOOD_PREDICT = predictData(
      "{\"id\":2,\"features\":[[0.5,0.5,0.5]],\"h0\":[[0.1,0.1,0.1,0.1]],\"c0\":[[0.0,0.0,0.0,0.0]]}");

  /** series.json: series a and b, times 0..4, value v. */
  static String series(String... extra) {
    List<String> lines = new ArrayList<>();
    for (String s : List.of("a", "b")) {
      for (int t = 0; t < 5; t++) {
        lines.add("{\"series\":\"" + s + "\",\"time\":" + t + ",\"v\":" + (0.1 * t) + "}");
      }
    }
    lines.addAll(List.of(extra));
    return String.join("\n", lines) + "\n";
  }

  /** The files every case of a command starts with. */
  static final Map<String, Map<String, Object>> DEFAULT_FILES = Map.of(
      "train", Map.of("data.json", GOOD_TRAIN),
      "predict", Map.of("input.json", GOOD_PREDICT, "model.safetensors", model(3, 4, 1)),
      "window", Map.of("series.json", series()),
      "generate", Map.of());

  /** A model file: LSTM(input, hidden) and a head of {@code out} on the last state, PyTorch's init. */
  static byte[] model(int input, int hidden, int out) {
    ModelConfig c = new ModelConfig(LstmConfig.of(input, hidden), new HeadConfig(out, HeadMode.LAST));
    return ModelFile.toBytes(c, ParameterInit.initialize(c, ParameterLayout.of(c), 7), Map.of());
  }

  static byte[] truncated(byte[] file) {
    return Arrays.copyOf(file, file.length / 2);
  }

  // ---- the cases ----------------------------------------------------------------------------------

  /** One bad input: what is run, what the user must see, and what may be left in {@code out/}. */
  static final class Case {
    final String group;
    final String title;
    final String command;
    final List<String> args = new ArrayList<>();
    final Map<String, Object> files = new LinkedHashMap<>();
    boolean raw;
    String input = "";
    List<String> expect = List.of();
    List<String> leaves = List.of();
    String why = "";

    Case(String group, String title, String command, String... args) {
      this.group = group;
      this.title = title;
      this.command = command;
      this.args.addAll(List.of(args));
    }

    /** The command line is exactly {@code args} (no base config). */
    Case raw() {
      raw = true;
      return this;
    }

    /** A file in the case's directory: a String (text), byte[], or {@link #DIRECTORY}. */
    Case file(String name, Object content) {
      files.put(name, content);
      return this;
    }

    /** What the table shows in the input column. */
    Case input(String text) {
      input = text;
      return this;
    }

    Case expect(String... words) {
      expect = List.of(words);
      return this;
    }

    /** Paths in out/ that must exist afterwards (and nothing else), and why they stay. */
    Case leaves(String why, String... paths) {
      this.why = why;
      leaves = List.of(paths);
      return this;
    }
  }

  static final Object DIRECTORY = new Object();
  static final Object EMPTY_PARQUET = new Object();

  static Case train(String group, String title, String... args) {
    return new Case(group, title, "train", args);
  }

  static Case predict(String group, String title, String... args) {
    return new Case(group, title, "predict", args);
  }

  static Case window(String group, String title, String... args) {
    return new Case(group, title, "window", args);
  }

  static Case generate(String group, String title, String... args) {
    return new Case(group, title, "generate", args);
  }

  static List<Case> cases() {
    String ce = "model.loss=cross-entropy";
    String ce3 = "model.head.output-size=3";
    String every = "model.head.mode=every-step";
    String existing = "out/existing.txt";
    return List.of(
        // launcher
        new Case("launcher", "unknown command", null, "fly").raw()
            .expect("unknown command \"fly\"", "commands: train, predict"),
        new Case("launcher", "--config file missing", null, "train", "--config", DIR + "nope.conf").raw()
            .expect("config file nope.conf does not exist"),
        new Case("launcher", "--config without a file name", null, "train", "--config").raw()
            .expect("--config needs a file name"),
        new Case("launcher", "unknown option", null, "train", "--epochs", "3").raw()
            .expect("unknown option --epochs"),
        new Case("launcher", "argument that is not key=value", null, "train", "train.epochs").raw()
            .expect("expected key=value", "train.epochs"),
        new Case("launcher", "config file that is not HOCON", null, "train", "--config", DIR + "broken.conf").raw()
            .file("broken.conf", "model { lstm {\n").input("`broken.conf`: `model { lstm {`")
            .expect("config file", "broken.conf"),

        // config
        train("config", "unknown key, with a suggestion", "train.epoch=3")
            .expect("unknown key train.epoch", "did you mean train.epochs?"),
        train("config", "unknown key inside a section", "model.lstm.hiden-size=8")
            .expect("unknown key model.lstm.hiden-size", "did you mean model.lstm.hidden-size?"),
        train("config", "wrong type", "train.epochs=ten")
            .expect("train.epochs: expected an integer", "\"ten\""),
        train("config", "wrong type (a number where a boolean goes)", "train.shuffle=2")
            .expect("train.shuffle: expected a boolean"),
        train("config", "out-of-range value", "train.workers=0")
            .expect("train.workers must be an integer >= 1, got 0"),
        train("config", "out-of-range value (dropout)", "model.lstm.dropout=1.5")
            .expect("model.lstm.dropout must be a number in [0, 1], got 1.5"),
        train("config", "value not among the choices", "model.loss=mae")
            .expect("model.loss must be one of mse | cross-entropy", "mae"),
        train("config", "missing required key", "model.lstm.hidden-size=null")
            .expect("missing required key model.lstm.hidden-size"),
        train("config", "missing required key (output.model)", "output.model=null")
            .expect("missing required key output.model"),
        train("config", "proj-size >= hidden-size", "model.lstm.proj-size=4")
            .expect("model.lstm.proj-size must be smaller than model.lstm.hidden-size", "proj-size=4", "hidden-size=4"),
        predict("config", "predict: missing required key", "predict.model=null")
            .expect("missing required key predict.model"),
        predict("config", "predict: unknown output column", "predict.columns=[prediction,hidden]")
            .expect("predict.columns", "\"hidden\""),
        predict("config", "predict: only one of h0-column and c0-column", "predict.initial-state.h0-column=h0")
            .expect("predict.initial-state", "h0-column and c0-column"),
        window("config", "window: missing required key", "window.length=null")
            .expect("missing required key window.length"),
        window("config", "window: out-of-range value", "window.horizon=0")
            .expect("window.horizon must be an integer >= 1, got 0"),
        generate("config", "generate: inconsistent values", "generate.min-length=9")
            .expect("generate.min-length must be <= generate.length (5), got 9"),
        generate("config", "generate: value not among the choices", "generate.kind=images")
            .expect("generate.kind must be one of series | windows", "images"),

        // data (train)
        train("data", "missing features column", "data.features-column=x")
            .expect("data.train: no column 'x'", "data.features-column", "[features, id, label]"),
        train("data", "missing label column", "data.label-column=y")
            .expect("data.train: no column 'y'", "data.label-column"),
        train("data", "features of the wrong type (array<string>)")
            .file("data.json", trainData("{\"id\":2,\"features\":[[\"a\",\"b\",\"c\"]],\"label\":0.0}"))
            .input("row 2: `\"features\":[[\"a\",\"b\",\"c\"]]`")
            .expect("column 'features' must be array<array<float or double>>", "array<array<string>>"),
        train("data", "features of the wrong type (a string)")
            .file("data.json", trainData("{\"id\":2,\"features\":\"0.5,0.5,0.5\",\"label\":0.0}"))
            .input("row 2: `\"features\":\"0.5,0.5,0.5\"`")
            .expect("column 'features' must be array<array<float or double>>", "but it is string"),
        train("data", "wrong feature width")
            .file("data.json", trainData("{\"id\":2,\"features\":[[0.5,0.5],[0.5,0.5]],\"label\":0.0}"))
            .input("row 2: `\"features\":[[0.5,0.5],[0.5,0.5]]`")
            .expect("data.train row 2", "features step 0 has 2 values, expected 3", "model.lstm.input-size"),
        train("data", "ragged row (steps of different widths)")
            .file("data.json", trainData("{\"id\":2,\"features\":[[0.5,0.5,0.5],[0.5,0.5]],\"label\":0.0}"))
            .input("row 2: `\"features\":[[0.5,0.5,0.5],[0.5,0.5]]`")
            .expect("data.train row 2", "features step 1 has 2 values, expected 3"),
        train("data", "null features")
            .file("data.json", trainData("{\"id\":2,\"features\":null,\"label\":0.0}"))
            .input("row 2: `\"features\":null`")
            .expect("data.train row 2", "features is null"),
        train("data", "null step")
            .file("data.json", trainData("{\"id\":2,\"features\":[[0.5,0.5,0.5],null],\"label\":0.0}"))
            .input("row 2: `\"features\":[[0.5,0.5,0.5],null]`")
            .expect("data.train row 2", "features step 1 is null"),
        train("data", "null value")
            .file("data.json", trainData("{\"id\":2,\"features\":[[0.5,null,0.5]],\"label\":0.0}"))
            .input("row 2: `\"features\":[[0.5,null,0.5]]`")
            .expect("data.train row 2", "features step 0 value 1 is null"),
        train("data", "NaN")
            .file("data.json", trainData("{\"id\":2,\"features\":[[0.5,NaN,0.5]],\"label\":0.0}"))
            .input("row 2: `\"features\":[[0.5,NaN,0.5]]`")
            .expect("data.train row 2", "features step 0 value 1 is NaN"),
        train("data", "Inf")
            .file("data.json", trainData("{\"id\":2,\"features\":[[0.5,0.5,-Infinity]],\"label\":0.0}"))
            .input("row 2: `\"features\":[[0.5,0.5,-Infinity]]`")
            .expect("data.train row 2", "features step 0 value 2 is -Infinity"),
        train("data", "value beyond float32")
            .file("data.json", trainData("{\"id\":2,\"features\":[[0.5,1e39,0.5]],\"label\":0.0}"))
            .input("row 2: `\"features\":[[0.5,1e39,0.5]]`")
            .expect("data.train row 2", "features step 0 value 1 is Infinity", "float32 value of 1.0E39"),
        train("data", "empty sequence (0 steps)")
            .file("data.json", trainData("{\"id\":2,\"features\":[],\"label\":0.0}"))
            .input("row 2: `\"features\":[]`")
            .expect("data.train row 2", "features is empty", "at least one step"),
        train("data", "label of the wrong type (mse, last)")
            .file("data.json", trainData("{\"id\":2,\"features\":[[0.5,0.5,0.5]],\"label\":\"high\"}"))
            .input("row 2: `\"label\":\"high\"`")
            .expect("column 'label' must be a number or array<number> of 1", "with loss mse", "but it is string"),
        train("data", "label with the wrong number of values (mse, output-size 2)", "model.head.output-size=2")
            .file("data.json", trainData(t -> "[0.5,0.5]", "{\"id\":2,\"features\":[[0.5,0.5,0.5]],\"label\":[1,2,3]}"))
            .input("row 2: `\"label\":[1,2,3]`")
            .expect("data.train row 2", "label has 3 values, expected 2", "model.head.output-size"),
        train("data", "null label")
            .file("data.json", trainData("{\"id\":2,\"features\":[[0.5,0.5,0.5]],\"label\":null}"))
            .input("row 2: `\"label\":null`")
            .expect("data.train row 2", "label is null"),
        train("data", "label of the wrong type (cross-entropy)", ce, ce3)
            .file("data.json", trainData(t -> "1", "{\"id\":2,\"features\":[[0.5,0.5,0.5]],\"label\":0.5}"))
            .input("row 2: `\"label\":0.5`")
            .expect("column 'label' must be an integer class", "cross-entropy", "but it is double"),
        train("data", "class out of range", ce, ce3)
            .file("data.json", trainData(t -> "1", "{\"id\":2,\"features\":[[0.5,0.5,0.5]],\"label\":3}"))
            .input("row 2: `\"label\":3`")
            .expect("data.train row 2", "label is class 3, outside [0, 3)", "model.head.output-size"),
        train("data", "negative class", ce, ce3)
            .file("data.json", trainData(t -> "1", "{\"id\":2,\"features\":[[0.5,0.5,0.5]],\"label\":-1}"))
            .input("row 2: `\"label\":-1`")
            .expect("data.train row 2", "label is class -1, outside [0, 3)"),
        train("data", "label of the wrong type (every-step, mse)", every)
            .file("data.json", trainData(t -> perStep(t, "0.5"),
                "{\"id\":2,\"features\":[[0.5,0.5,0.5]],\"label\":0.5}"))
            .input("row 2: `\"label\":0.5` (a number, not one per step)")
            .expect("column 'label' must be array<number> ([T])", "every-step", "but it is string"),
        train("data", "label of the wrong type (every-step, cross-entropy)", every, ce, ce3)
            .file("data.json", trainData(t -> perStep(t, "1"),
                "{\"id\":2,\"features\":[[0.5,0.5,0.5]],\"label\":[0.5]}"))
            .input("row 2: `\"label\":[0.5]`")
            .expect("column 'label' must be array<integer> ([T])", "every-step", "array<double>"),
        train("data", "every-step label of the wrong length", every)
            .file("data.json", trainData(t -> perStep(t, "0.5"),
                "{\"id\":2,\"features\":[[0.5,0.5,0.5],[0.5,0.5,0.5]],\"label\":[0.5,0.5,0.5]}"))
            .input("row 2: 2 steps, `\"label\":[0.5,0.5,0.5]`")
            .expect("data.train row 2", "label has 3 steps but features has 2"),
        train("data", "empty dataset (parquet with the columns, no rows)", "data.train.path=" + DIR + "empty.parquet",
            "data.train.format=parquet")
            .file("empty.parquet", EMPTY_PARQUET).input("`empty.parquet`: 0 rows")
            .expect("data.train", "empty.parquet", "has no rows"),
        train("data", "empty dataset (an empty JSON file)")
            .file("data.json", "").input("`data.json`: 0 bytes")
            .expect("data.train (data.json) has no rows"),
        train("data", "filter leaving no rows", "data.train.filter=id > 100")
            .expect("data.train", "has no rows after data.train.filter"),
        train("data", "filter that is not valid SQL", "data.train.filter=idd > 1")
            .expect("data.train.filter", "idd"),
        train("data", "more workers than rows", "train.workers=5")
            .expect("data.train has 4 rows, fewer than train.workers = 5"),
        train("data", "bad row in the validation data", "data.validation.path=" + DIR + "validation.json",
            "data.validation.format=json")
            .file("validation.json", trainData("{\"id\":2,\"features\":[[0.5,0.5]],\"label\":0.0}"))
            .input("`validation.json` row 2: `\"features\":[[0.5,0.5]]`")
            .expect("data.validation row 2", "features step 0 has 2 values, expected 3"),

        // files
        train("files", "missing data path", "data.train.path=" + DIR + "nope.json")
            .expect("data.train.path: nope.json does not exist"),
        train("files", "missing validation path", "data.validation.path=" + DIR + "nope.json")
            .expect("data.validation.path: nope.json does not exist"),
        train("files", "data in another format than configured", "data.train.format=parquet")
            .expect("data.train", "FAILED_READ_FILE", "data.json", "Parquet"),
        train("files", "unknown data format", "data.train.format=jsn")
            .expect("data.train", "jsn"),
        train("files", "output.model is a directory")
            .file("out/model.safetensors", DIRECTORY).input("`out/model.safetensors/`: a directory")
            .expect("output.model: out/model.safetensors is a directory"),
        train("files", "train.checkpoint-dir is a file", "train.checkpoint-dir=" + DIR + "data.json")
            .expect("train.checkpoint-dir: data.json is a file; expected a directory"),
        train("files", "model.init missing", "model.init=" + DIR + "nope.safetensors")
            .expect("model.init: nope.safetensors does not exist"),
        train("files", "model.init is not a safetensors file", "model.init=" + DIR + "init.safetensors")
            .file("init.safetensors", "{\"weights\": [1, 2, 3]}\n").input("`init.safetensors`: a JSON text")
            .expect("model.init", "init.safetensors"),
        train("files", "model.init truncated", "model.init=" + DIR + "init.safetensors")
            .file("init.safetensors", truncated(model(3, 4, 1))).input("`init.safetensors`: the first half of a model")
            .expect("model.init", "init.safetensors"),
        train("files", "model.init unreadable (a directory)", "model.init=" + DIR + "init.safetensors")
            .file("init.safetensors", DIRECTORY).input("`init.safetensors/`: a directory")
            .expect("model.init", "cannot read init.safetensors"),
        train("files", "model.init disagrees with model.lstm", "model.init=" + DIR + "init.safetensors")
            .file("init.safetensors", model(3, 6, 1)).input("`init.safetensors`: LSTM(3, 6)")
            .expect("model.init", "model.lstm.hidden-size", "4", "6"),
        predict("files", "predict.model missing", "predict.model=" + DIR + "nope.safetensors")
            .expect("predict.model: nope.safetensors does not exist"),
        predict("files", "predict.model is not a safetensors file")
            .file("model.safetensors", "not a model\n").input("`model.safetensors`: a text file")
            .expect("predict.model", "model.safetensors"),
        predict("files", "predict.model truncated")
            .file("model.safetensors", truncated(model(3, 4, 1))).input("`model.safetensors`: the first half")
            .expect("predict.model", "model.safetensors"),
        predict("files", "predict.model unreadable (a directory)")
            .file("model.safetensors", DIRECTORY).input("`model.safetensors/`: a directory")
            .expect("predict.model", "cannot read model.safetensors"),
        predict("files", "predict input missing", "predict.input.path=" + DIR + "nope.json")
            .expect("predict.input.path: nope.json does not exist"),
        window("files", "window input missing", "window.input.path=" + DIR + "nope.json")
            .expect("window.input.path: nope.json does not exist"),

        // predict data
        predict("predict", "missing features column", "data.features-column=x")
            .expect("predict.input: no column 'x'", "data.features-column"),
        predict("predict", "wrong feature width for the model")
            .file("input.json", predictData("{\"id\":2,\"features\":[[0.5,0.5,0.5,0.5]]}"))
            .input("row 2: `\"features\":[[0.5,0.5,0.5,0.5]]`, model input-size 3")
            .expect("predict.input row 2", "features step 0 has 4 values, expected 3"),
        predict("predict", "NaN in the features")
            .file("input.json", predictData("{\"id\":2,\"features\":[[0.5,NaN,0.5]]}"))
            .input("row 2: `\"features\":[[0.5,NaN,0.5]]`")
            .expect("predict.input row 2", "features step 0 value 1 is NaN"),
        predict("predict", "initial-state column of the wrong shape", "predict.initial-state.h0-column=h0",
            "predict.initial-state.c0-column=c0")
            .file("input.json", predictData("{\"id\":2,\"features\":[[0.5,0.5,0.5]],\"h0\":[[0.1,0.1,0.1,0.1],"
                + "[0.1,0.1,0.1,0.1]],\"c0\":[[0.0,0.0,0.0,0.0]]}"))
            .input("row 2: `\"h0\"` has 2 rows, the model's h_0 has L*D = 1")
            .expect("predict.input row 2", "'h0'", "has 2 rows, expected 1"),
        predict("predict", "initial-state row of the wrong width", "predict.initial-state.h0-column=h0",
            "predict.initial-state.c0-column=c0")
            .file("input.json", predictData("{\"id\":2,\"features\":[[0.5,0.5,0.5]],\"h0\":[[0.1,0.1,0.1,0.1]],"
                + "\"c0\":[[0.0,0.0,0.0]]}"))
            .input("row 2: `\"c0\":[[0.0,0.0,0.0]]`, H = 4")
            .expect("predict.input row 2", "'c0'", "row 0 has 3 values, expected 4"),
        predict("predict", "initial-state column of the wrong type", "predict.initial-state.h0-column=id",
            "predict.initial-state.c0-column=c0")
            .expect("predict.initial-state.h0-column", "'id'", "array<array<float>>", "bigint"),
        predict("predict", "initial-state column missing", "predict.initial-state.h0-column=h_0",
            "predict.initial-state.c0-column=c0")
            .expect("predict.initial-state.h0-column: no column 'h_0'"),
        predict("predict", "output column name clash")
            .file("input.json", GOOD_PREDICT.replace("\"id\":", "\"prediction\":1,\"id\":"))
            .input("the input has a column `prediction`")
            .expect("predict.input already has a column 'prediction'"),
        predict("predict", "output exists with mode=error", "predict.output.path=" + DIR + existing)
            .file(existing, "keep me\n").input("`out/existing.txt` exists")
            .expect("predict.output.path: out/existing.txt already exists", "predict.output.mode=overwrite")
            .leaves("the file that was there", "existing.txt"),
        predict("predict", "output format that cannot hold arrays", "predict.output.format=csv")
            .expect("predict.output", "CSV datasource doesn't support", "ARRAY"),

        // window
        window("window", "time column missing", "window.time-column=ts")
            .expect("window.time-column: no column \"ts\"", "[series, time, v]"),
        window("window", "value column not numeric")
            .file("series.json", series("{\"series\":\"c\",\"time\":0,\"v\":\"high\"}"))
            .input("a row with `\"v\":\"high\"`")
            .expect("window.value-columns: column \"v\" has type string; expected a number"),
        window("window", "a time twice in one series")
            .file("series.json", series("{\"series\":\"a\",\"time\":3,\"v\":0.7}"))
            .input("series a has time 3 twice")
            .expect("window.time-column", "3", "twice"),
        window("window", "output exists with mode=error", "window.output.path=" + DIR + existing)
            .file(existing, "keep me\n").input("`out/existing.txt` exists")
            .expect("window.output.path: out/existing.txt already exists")
            .leaves("the file that was there", "existing.txt"),

        // generate
        generate("generate", "output exists with mode=error", "generate.output.path=" + DIR + existing)
            .file(existing, "keep me\n").input("`out/existing.txt` exists")
            .expect("generate.output.path: out/existing.txt already exists")
            .leaves("the file that was there", "existing.txt"),
        generate("generate", "output format that cannot hold arrays", "generate.kind=windows",
            "generate.output.format=csv")
            .expect("generate.output", "CSV datasource doesn't support", "ARRAY"),

        // a failing training run
        // (one worker: with two, either shard's divergence could be the one Spark reports first)
        train("train run", "diverges in epoch 1", "train.optimizer.type=sgd", "train.optimizer.learning-rate=1e30",
            "train.workers=1", "train.batch-size=1")
            .expect("training diverged at epoch 1", "train.optimizer.learning-rate"),
        train("train run", "diverges in epoch 2 (after a checkpoint)", "train.optimizer.type=sgd",
            "train.optimizer.learning-rate=1e30", "train.workers=1", "train.batch-size=4")
            .expect("training diverged at epoch 2", "the checkpoint of epoch 1 is in out/model.safetensors.checkpoint")
            .leaves("kept for train.resume: the checkpoint of epoch 1 and its metrics line; see below",
                "model.safetensors.checkpoint/epoch-0001.safetensors", "model.safetensors.metrics.jsonl"));
  }

  // ---- running ------------------------------------------------------------------------------------

  @TempDir
  static Path root;

  /** Case title -> the error line, with {@code <dir>/} removed. */
  static final Map<Case, String> SEEN = new LinkedHashMap<>();

  @TestFactory
  Stream<DynamicTest> catalogue() {
    List<Case> cases = cases();
    List<DynamicTest> tests = new ArrayList<>();
    for (int i = 0; i < cases.size(); i++) {
      Case c = cases.get(i);
      Path dir = root.resolve(String.format("%02d", i + 1));
      tests.add(dynamicTest(c.group + ": " + c.title, () -> check(c, dir)));
    }
    tests.add(dynamicTest("docs/BAD_INPUT.md", () -> docs(cases)));
    return tests.stream();
  }

  private static void check(Case c, Path dir) throws IOException {
    Files.createDirectories(dir.resolve("out"));
    String d = dir.toString() + "/";
    List<String> args = new ArrayList<>();
    if (!c.raw) {
      Files.writeString(dir.resolve(c.command + ".conf"), BASE_CONFIGS.get(c.command).replace(DIR, d));
      args.addAll(List.of(c.command, "--config", dir.resolve(c.command + ".conf").toString()));
      for (Map.Entry<String, Object> f : DEFAULT_FILES.get(c.command).entrySet()) {
        write(dir.resolve(f.getKey()), f.getValue());
      }
    }
    for (Map.Entry<String, Object> f : c.files.entrySet()) {
      write(dir.resolve(f.getKey()), f.getValue());
    }
    for (String a : c.args) {
      args.add(a.replace(DIR, d));
    }
    Map<String, String> before = contents(dir.resolve("out"));

    Cli.Result r = Cli.run(args.toArray(new String[0]));

    String err = r.err().replace("file://" + d, "").replace("file:" + d, "").replace(d, "");
    SEEN.put(c, err.strip());
    assertEquals(Main.USER_ERROR, r.code(), "exit code; stderr: " + err);
    assertTrue(err.startsWith("error: ") && err.endsWith("\n"), "stderr: " + err);
    assertEquals(1, err.lines().count(), "one line on stderr: " + err);
    for (String word : c.expect) {
      assertTrue(err.contains(word), "stderr should name \"" + word + "\": " + err);
    }
    Map<String, String> after = contents(dir.resolve("out"));
    List<String> left = new ArrayList<>(after.keySet());
    assertEquals(c.leaves, left, "left in out/");
    for (Map.Entry<String, String> e : before.entrySet()) {
      assertEquals(e.getValue(), after.get(e.getKey()), "out/" + e.getKey() + " was changed");
    }
  }

  private static void write(Path path, Object content) throws IOException {
    Files.createDirectories(path.getParent());
    if (content == DIRECTORY) {
      Files.deleteIfExists(path);
      Files.createDirectories(path);
    } else if (content == EMPTY_PARQUET) {
      StructType schema = new StructType()
          .add("features", DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.DoubleType)))
          .add("label", DataTypes.DoubleType);
      TestSpark.session().createDataFrame(List.<Row>of(), schema).write().parquet(path.toString());
    } else if (content instanceof byte[] b) {
      Files.write(path, b);
    } else {
      Files.writeString(path, (String) content);
    }
  }

  /** Every file under {@code dir}, recursively, relative path -> size and first bytes; sorted. */
  private static Map<String, String> contents(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      Map<String, String> m = new LinkedHashMap<>();
      for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
        byte[] b = Files.readAllBytes(p);
        m.put(dir.relativize(p).toString(), b.length + ":" + Arrays.hashCode(b));
      }
      return m;
    }
  }

  /**
   * Permissions: a data file the user may not read. Root reads it anyway, so this case only runs
   * as another user (the catalogue's table covers unreadable model files with a directory instead).
   */
  @Test
  void unreadableDataFile(@TempDir Path dir) throws IOException {
    Path data = dir.resolve("data.json");
    Files.writeString(data, GOOD_TRAIN);
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("---------"));
    assumeFalse(Files.isReadable(data), "skipped: running as root, who reads a file with mode 000 anyway");
    Files.writeString(dir.resolve("train.conf"), BASE_CONFIGS.get("train").replace(DIR, dir + "/"));
    Cli.Result r = Cli.run("train", "--config", dir.resolve("train.conf").toString());
    assertEquals(Main.USER_ERROR, r.code(), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().startsWith("error: data.train"), r.err());
    assertTrue(r.err().contains("data.json"), r.err());
  }

  // ---- docs/BAD_INPUT.md --------------------------------------------------------------------------

  private static void docs(List<Case> cases) throws IOException {
    for (Case c : cases) {
      if (!SEEN.containsKey(c)) {
        fail("case \"" + c.title + "\" did not run");
      }
    }
    String text = render(cases);
    if (Boolean.getBoolean("sparklstm.writeDocs")) {
      Files.writeString(DOC, text);
      return;
    }
    String onDisk = Files.exists(DOC) ? Files.readString(DOC) : "";
    assertEquals(text, onDisk, "docs/BAD_INPUT.md is out of date: run mvn -pl jobs -am test "
        + "-Dtest=BadInputCatalogueTest -Dsurefire.failIfNoSpecifiedTests=false -Dsparklstm.writeDocs=true");
  }

  static String render(List<Case> cases) {
    StringBuilder sb = new StringBuilder();
    sb.append("""
        # Bad input: what the user sees

        <!-- Generated by jobs/src/test/java/io/sparklstm/jobs/BadInputCatalogueTest.java; do not edit.
             Regenerate: mvn -B -pl jobs -am test -Dtest=BadInputCatalogueTest \\
                         -Dsurefire.failIfNoSpecifiedTests=false -Dsparklstm.writeDocs=true -->

        Every case below is run by `BadInputCatalogueTest` through the launcher's `Main`, in-process, and
        the test fails if this page differs from what the cases give. In every case:

        - the exit code is **2** (a user error; 1 is reserved for internal errors, 0 for success);
        - stderr is **exactly one line**, `error: <cause>`, naming the key, column, row, step or file at
          fault (the stack trace only with `--debug` or `SPARK_LSTM_DEBUG=1`);
        - **nothing is left behind** in the output directory: no model, no metrics file, no loss-curve
          picture, no checkpoint directory, no table and no temporary file (`.tmp`), unless the last
          column says otherwise.

        Each case runs in its own directory with the base config of its command (paths below are
        relative to that directory) and the case's overrides on the command line; outputs go to `out/`.
        Data rows are JSON lines; a case with bad data replaces row 2 (rows are numbered from 0 in input
        order) of a table whose other rows are fine.

        """);
    for (Map.Entry<String, String> e : BASE_CONFIGS.entrySet()) {
      sb.append("`").append(e.getKey()).append(".conf`:\n```\n").append(e.getValue().replace(DIR, ""))
          .append("```\n\n");
    }
    sb.append("""
        Train reads `data.json`: rows with `id`, `features` (`[T][3]`, T = 2, 1, 3) and `label` (a number;
        per-step or class labels where the case sets `model.head.mode` or `model.loss`). Predict reads
        `input.json` (`id`, `features`, `h0`, `c0`) and `model.safetensors` (LSTM(3, 4) with a head of 1
        on the last state). Window reads `series.json` (`series` a and b, `time` 0..4, `v`).

        | # | case | command | input | what the user sees | left in `out/` |
        |---|---|---|---|---|---|
        """);
    int n = 0;
    for (Case c : cases) {
      n++;
      String command = c.raw ? "spark-lstm " + String.join(" ", c.args).replace(DIR, "")
          : "spark-lstm " + c.command + " --config " + c.command + ".conf"
              + c.args.stream().map(a -> " " + a.replace(DIR, "")).collect(Collectors.joining());
      String left = c.leaves.isEmpty() ? "nothing" : c.leaves.stream().map(p -> "`" + p + "`")
          .collect(Collectors.joining(", ")) + " (" + c.why + ")";
      sb.append("| ").append(n).append(" | ").append(c.group).append(": ").append(cell(c.title))
          .append(" | ").append(code(command)).append(" | ").append(cell(c.input))
          .append(" | ").append(code(SEEN.get(c))).append(" | ").append(cell(left)).append(" |\n");
    }
    sb.append("""

        **A training run that fails after its first epoch** (by diverging, as in the last case, or because
        the driver or the cluster went away) keeps what `train.resume=true` needs: the checkpoint directory
        (`<output.model>.checkpoint`, or `train.checkpoint-dir`) with the newest completed epochs, and the
        metrics file with the lines of those epochs. The model file and the loss-curve picture are written
        only when every epoch has completed, so a failed run never leaves a model that looks finished.
        A run that fails before its first epoch completes (every other train case above) leaves nothing.
        Resuming takes a checkpoint only when the settings, data and start are the same as the run that
        wrote it (its fingerprint), so after a divergence, resuming with the same settings diverges again
        and changed settings (a lower learning rate, clipping) start from epoch 1; delete the directory to
        start over.

        Not in the table: a data file without read permission (`chmod 000`) is checked by
        `unreadableDataFile`, which only runs as a user other than root (root reads such a file anyway).
        """);
    return sb.toString();
  }

  private static String cell(String s) {
    return s.replace("|", "\\|");
  }

  /** A table cell holding {@code s} as code: pipes escaped, backticks fenced by a longer run. */
  private static String code(String s) {
    String fence = s.contains("`") ? "``" : "`";
    String pad = s.startsWith("`") || s.endsWith("`") ? " " : "";
    return fence + pad + s.replace("|", "\\|") + pad + fence;
  }

  static {
    // The case list must not reuse titles: the table and the test names come from them.
    List<String> titles = cases().stream().map(c -> c.group + ": " + c.title).toList();
    if (titles.size() != titles.stream().distinct().count()) {
      throw new IllegalStateException("duplicate case titles in " + titles);
    }
  }
}
