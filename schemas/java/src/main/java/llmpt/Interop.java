package llmpt;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.io.JsonEncoder;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.SchemaStore;

/**
 * Checks that the TypeScript codec speaks the same Avro as the reference Java library, in one JVM
 * launch: Interop SCHEMAS_DIR WORK_DIR
 *
 * <ol>
 *   <li>prints "fingerprint FILE UNSIGNED_DECIMAL" (SchemaNormalization.parsingFingerprint64) for every
 *       schemas/*.avsc and schemas/history/*.avsc;
 *   <li>decodes every WORK_DIR/ts-bin/NAME.*.bin (single-object bytes the TypeScript codec wrote; the
 *       writer schema is found by fingerprint among all versions) with the current NAME schema as the
 *       reader, and writes it to WORK_DIR/java-json/ in the Avro JSON encoding;
 *   <li>reads every WORK_DIR/ts-json/NAME.json (Avro JSON encoding) as a GenericRecord and writes it
 *       single-object encoded to WORK_DIR/java-bin/NAME.bin.
 * </ol>
 *
 * Prints "error ..." lines and exits 1 if any step failed.
 */
public final class Interop {
  private Interop() {}

  public static void main(String[] args) throws IOException {
    Path schemaDir = Paths.get(args[0]);
    Path work = Paths.get(args[1]);
    Map<String, Schema> current = new TreeMap<>();
    SchemaStore.Cache store = new SchemaStore.Cache();
    int errors = 0;

    for (Path file : list(schemaDir, "*.avsc")) {
      Schema s = new Schema.Parser().parse(file.toFile());
      current.put(s.getName(), s);
      store.addSchema(s);
      printFingerprint(file.getFileName().toString(), s);
    }
    Path history = schemaDir.resolve("history");
    if (Files.isDirectory(history)) {
      for (Path file : list(history, "*.avsc")) {
        Schema s = new Schema.Parser().parse(file.toFile());
        store.addSchema(s);
        printFingerprint("history/" + file.getFileName(), s);
      }
    }

    Path javaJson = Files.createDirectories(work.resolve("java-json"));
    for (Path file : list(work.resolve("ts-bin"), "*.bin")) {
      String base = file.getFileName().toString();
      try {
        Schema reader = schemaFor(current, base);
        BinaryMessageDecoder<GenericRecord> decoder =
            new BinaryMessageDecoder<>(GenericData.get(), reader, store);
        GenericRecord record = decoder.decode(Files.readAllBytes(file));
        Files.writeString(javaJson.resolve(base.replaceAll("\\.bin$", ".json")), toJson(reader, record));
        System.out.println("decoded " + base);
      } catch (Exception e) {
        errors++;
        System.out.println("error decoding " + base + ": " + e);
      }
    }

    Path javaBin = Files.createDirectories(work.resolve("java-bin"));
    for (Path file : list(work.resolve("ts-json"), "*.json")) {
      String base = file.getFileName().toString();
      try {
        Schema schema = schemaFor(current, base);
        GenericDatumReader<GenericRecord> reader = new GenericDatumReader<>(schema);
        GenericRecord record =
            reader.read(null, DecoderFactory.get().jsonDecoder(schema, Files.readString(file)));
        BinaryMessageEncoder<GenericRecord> encoder =
            new BinaryMessageEncoder<>(GenericData.get(), schema);
        ByteBuffer bytes = encoder.encode(record);
        byte[] out = new byte[bytes.remaining()];
        bytes.get(out);
        Files.write(javaBin.resolve(base.replaceAll("\\.json$", ".bin")), out);
        System.out.println("encoded " + base);
      } catch (Exception e) {
        errors++;
        System.out.println("error encoding " + base + ": " + e);
      }
    }
    System.exit(errors == 0 ? 0 : 1);
  }

  private static void printFingerprint(String file, Schema s) {
    long fp = SchemaNormalization.parsingFingerprint64(s);
    System.out.println("fingerprint " + file + " " + Long.toUnsignedString(fp));
  }

  /** The event name is the file name up to its first dot: ModelDiscovered.v1.bin, NormalizedPrice.json. */
  private static Schema schemaFor(Map<String, Schema> current, String fileName) {
    String name = fileName.substring(0, fileName.indexOf('.'));
    Schema s = current.get(name);
    if (s == null) throw new IllegalArgumentException("no schema named " + name);
    return s;
  }

  private static String toJson(Schema schema, GenericRecord record) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    JsonEncoder encoder = EncoderFactory.get().jsonEncoder(schema, out);
    new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
    encoder.flush();
    return out.toString(StandardCharsets.UTF_8);
  }

  private static List<Path> list(Path dir, String glob) throws IOException {
    List<Path> files = new ArrayList<>();
    if (!Files.isDirectory(dir)) return files;
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, glob)) {
      stream.forEach(files::add);
    }
    files.sort(null);
    return files;
  }
}
