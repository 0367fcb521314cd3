package io.kopeck.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * CPU time used by the service process and by PostgreSQL, read from /proc (Linux): the service's
 * utime + stime, and over every process named {@code postgres} the same plus, for the postmaster,
 * the CPU of its children that already exited (cutime + cstime). In clock ticks, converted with the
 * machine's CLK_TCK. A phase's share is the difference of two readings. Also the part of the
 * service's CPU spent by its JIT compiler threads (a JVM still compiling is not yet measuring the
 * code's steady state; a compiler thread that exits keeps the CPU last read of it, so this is a
 * lower bound), and the load generator's own CPU, which shares the machine.
 */
final class CpuMeter {
  /** A reading: CPU microseconds of the service and of PostgreSQL so far. */
  record Reading(long serviceMicros, long postgresMicros, long jitMicros, long generatorMicros) {
    Reading minus(Reading earlier) {
      return new Reading(serviceMicros - earlier.serviceMicros, postgresMicros - earlier.postgresMicros,
          jitMicros - earlier.jitMicros, generatorMicros - earlier.generatorMicros);
    }
  }

  private final long servicePid;
  /** Last CPU ticks read per compiler thread id: the JVM stops idle compiler threads, their CPU stays counted. */
  private final Map<String, Long> compilerThreads = new HashMap<>();
  private final long microsPerTick;

  CpuMeter(long servicePid, long clockTicksPerSecond) {
    this.servicePid = servicePid;
    this.microsPerTick = 1_000_000 / clockTicksPerSecond;
  }

  Reading read() {
    long service = servicePid > 0 ? ticks(Path.of("/proc", Long.toString(servicePid), "stat"), false) : 0;
    long jit = servicePid > 0 ? compilerTicks(Path.of("/proc", Long.toString(servicePid), "task")) : 0;
    long generator = ticks(Path.of("/proc/self/stat"), false);
    long postgres = 0;
    try (DirectoryStream<Path> processes = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path process : processes) {
        if (isPostgres(process)) {
          postgres += ticks(process.resolve("stat"), true);
        }
      }
    } catch (IOException e) {
      // /proc unreadable: report nothing rather than a wrong figure
      return new Reading(service * microsPerTick, -1, jit * microsPerTick, generator * microsPerTick);
    }
    return new Reading(service * microsPerTick, postgres * microsPerTick, jit * microsPerTick,
        generator * microsPerTick);
  }

  /** CPU of the JVM's compiler threads ("C1 CompilerThre…", "C2 CompilerThre…") of one process. */
  private long compilerTicks(Path tasks) {
    try (DirectoryStream<Path> threads = Files.newDirectoryStream(tasks, "[0-9]*")) {
      for (Path thread : threads) {
        if (isCompiler(thread)) {
          compilerThreads.merge(thread.getFileName().toString(), ticks(thread.resolve("stat"), false), Math::max);
        }
      }
    } catch (IOException e) {
      // the service is gone: what was read before stands
    }
    return compilerThreads.values().stream().mapToLong(Long::longValue).sum();
  }

  private static boolean isCompiler(Path thread) {
    try {
      return Files.readString(thread.resolve("comm")).contains("CompilerThre");
    } catch (IOException e) {
      return false; // the thread ended meanwhile
    }
  }

  private static boolean isPostgres(Path process) {
    try {
      return Files.readString(process.resolve("comm")).strip().equals("postgres");
    } catch (IOException e) {
      return false; // the process ended meanwhile
    }
  }

  /** utime + stime (fields 14, 15), and with {@code children} cutime + cstime (16, 17) too; 0 if gone. */
  private static long ticks(Path stat, boolean children) {
    try {
      String text = Files.readString(stat);
      // The command name (field 2) may hold spaces; fields are counted after its closing parenthesis.
      String[] fields = text.substring(text.lastIndexOf(')') + 2).split(" ");
      long own = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
      return children ? own + Long.parseLong(fields[13]) + Long.parseLong(fields[14]) : own;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }
}
