package dev.graft.gateway.scan;

/**
 * The scan loop's counters at one moment. Each counter is read on its own while the loop may be
 * ticking, so two counters can be one tick apart.
 *
 * @param ticks ticks run
 * @param missedSlots slots that passed without a tick, because a tick (or the thread's wake-up) ran
 *     past a whole period
 * @param overruns ticks that ended after the next slot was due
 * @param faults ticks whose outputs were discarded (trap, budget, non-zero return), plus faults
 *     while saving state
 * @param saves periodic state saves that produced a state
 * @param swaps swaps made
 * @param lastSlot the last slot that ran, or -1
 * @param maxLatenessNanos the latest a tick started after its slot was due
 * @param totalLatenessNanos the sum of every tick's start lateness
 * @param maxDurationNanos the longest tick (snapshot, module, output hand-over)
 * @param totalDurationNanos the sum of every tick's duration
 * @param module the name of the running module
 * @param version its version
 * @param moduleThreads threads running module code right now, of any module in this JVM: 1 while a
 *     tick runs, 0 between ticks; more only while a call that overran its budget and was not
 *     scheduled to notice its interrupt in time has yet to stop
 * @param strayInterrupts interrupts of the scan thread, cleared and counted at a slot's boundary
 *     (the tick one lands in faults)
 */
public record ScanStats(
    long ticks,
    long missedSlots,
    long overruns,
    long faults,
    long saves,
    long swaps,
    long lastSlot,
    long maxLatenessNanos,
    long totalLatenessNanos,
    long maxDurationNanos,
    long totalDurationNanos,
    String module,
    String version,
    int moduleThreads,
    long strayInterrupts) {}
