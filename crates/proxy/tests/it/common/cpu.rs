//! A process's CPU time, for the tests that show abandoned work stops using it.

use std::process::Command;

/// The CPU time the process `pid` has used so far, in clock ticks (user + system).
pub fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // The command name is in parentheses and may hold spaces: count fields after its `)`.
    let after = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = after.split(' ').collect();
    // Fields 14 and 15 of the whole line (utime, stime) are the 12th and 13th after the name.
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

/// Clock ticks per second (`getconf CLK_TCK`).
pub fn ticks_per_second() -> u64 {
    let output = Command::new("getconf").arg("CLK_TCK").output().unwrap();
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .unwrap()
}

/// The CPU time (ms) the process `pid` uses in the second that starts one second from now: zero once
/// the work it was doing has really stopped.
pub async fn ms_used_in_the_second_after_next(pid: u32) -> u64 {
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    let one = cpu_ticks(pid);
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    let used_ms = (cpu_ticks(pid) - one) * 1000 / ticks_per_second();
    eprintln!("CPU in the second after the first: {used_ms} ms");
    used_ms
}
