// Adds SCRAM-SHA-256 and SCRAM-SHA-512 credentials to a running broker (AlterUserScramCredentials, KIP-554)
// for users its storage was formatted without: kafka.sh runs it with Java's source launcher on the
// broker's own jars. Arguments: the bootstrap address (a listener whose principal is a super user);
// standard input: one "user password" line per user, so no password appears in a process's arguments.
// One request per mechanism: the broker refuses two alterations of one user in a single request.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;

public class ScramUsers {
  public static void main(String[] args) throws Exception {
    List<String[]> users = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        String[] parts = line.trim().split(" ", 2);
        if (parts.length == 2) users.add(parts);
      }
    }
    Properties props = new Properties();
    props.put("bootstrap.servers", args[0]);
    try (Admin admin = Admin.create(props)) {
      for (ScramMechanism mechanism : List.of(ScramMechanism.SCRAM_SHA_256, ScramMechanism.SCRAM_SHA_512)) {
        List<UserScramCredentialAlteration> upserts = new ArrayList<>();
        for (String[] u : users)
          upserts.add(new UserScramCredentialUpsertion(u[0], new ScramCredentialInfo(mechanism, 4096), u[1]));
        admin.alterUserScramCredentials(upserts).all().get();
      }
    }
    System.out.println("SCRAM credentials added for " + users.size() + " users");
  }
}
