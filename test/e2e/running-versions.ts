// The Kafka version each lab host's kafka.Kafka process runs: the core jar in libs/ of the home its
// config is in ('none' where no broker runs). Shared by the upgrade tests.
import { labExec, type Lab } from '../lab/lab.js';

export async function runningKafkaVersions(lab: Lab): Promise<string[]> {
  return Promise.all(
    lab.hosts.map(async (h) => {
      const script = "cfg=$(ps -ww -eo args= | grep '[k]afka[.]Kafka' | sed 's/.* kafka[.]Kafka //' | head -n 1); [ -n \"$cfg\" ] || exit 0; ls \"$(dirname \"$(dirname \"$cfg\")\")/libs\"";
      const r = await labExec(h.name, ['sh', '-c', script]);
      return /^kafka_[0-9.]+-([0-9.]+)\.jar$/m.exec(r.stdout)?.[1] ?? 'none';
    }),
  );
}
