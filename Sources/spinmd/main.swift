import ArgumentParser
import Foundation
import SpinMD
import SpinMultiNet
import SpinMultiNetPotential
import SpinMDCore

/// The `spinmd` command line.
struct SpinMDCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spinmd",
        abstract: "Molecular dynamics and relaxation with spin-aware machine-learned potentials.",
        version: SpinMDVersion.string,
        subcommands: [Run.self, Train.self, Evaluate.self, Trajectory.self, Model.self])
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the MD or relaxation task described by an input JSON file (see docs/input-format.md).")

    @Argument(help: "Input JSON file.")
    var input: String

    @OptionGroup var common: CommonOptions

    @Option(name: .customLong("output-dir"), help: "Directory for outputs (overrides output.directory).")
    var outputDirectory: String?

    @Flag(name: .long, help: "Continue an MD run from the checkpoint in its output directory (same input, same thread count for bit-identical results).")
    var resume = false

    @Flag(name: .long, help: "Replace output files that already exist.")
    var overwrite = false

    func run() throws {
        try ExitStatus.reporting {
            let threads = try common.checkedThreads()
            let configuration = try RunConfiguration.load(path: input)
            var simulation = Simulation(configuration: configuration, threads: threads, outputDirectory: outputDirectory)
            simulation.showProgress = !common.quiet
            simulation.resume = resume
            simulation.overwrite = overwrite
            let summary = try simulation.run()
            print("")
            print("Status: \(summary.status.description)")
            if summary.task == .relax { printRelaxationResult(summary) }
            print("")
            print(summary.performanceReport, terminator: "")
            if let code = ExitStatus.code(for: summary.status) { throw ExitCode(code) }
        }
    }

    func printRelaxationResult(_ s: RunSummary) {
        if !s.orderings.isEmpty {
            print("Magnetic orderings (relaxed; sorted by energy per formula unit):")
            print(Simulation.orderingsTable(s.orderings, tabs: false), terminator: "")
            return
        }
        if let report = s.relaxation { print(report.text, terminator: "") }
        if let w = s.finalResult.virial {
            let cell = s.finalSystem.cell
            let p = -(1 / cell.volume) * w
            print(String(format: "Stress (GPa, ASE sign): xx %.4f yy %.4f zz %.4f yz %.4f xz %.4f xy %.4f",
                         p[0, 0] * Units.eVPerCubicAngstromInGPa, p[1, 1] * Units.eVPerCubicAngstromInGPa, p[2, 2] * Units.eVPerCubicAngstromInGPa,
                         p[1, 2] * Units.eVPerCubicAngstromInGPa, p[0, 2] * Units.eVPerCubicAngstromInGPa, p[0, 1] * Units.eVPerCubicAngstromInGPa))
        }
    }
}

// NOTE: glibc hands large blocks (≥128 KiB by default) back to the kernel on free, so every
// step's force arrays came back as fresh zero-filled pages (a third of the LJ benchmark's time
// in page faults). Keep them in the heap instead (blocks below 1 GiB, trimmed only above 1 GiB
// of free space). And keep one arena: with two threads, the blocks that worker threads allocated
// (a committee's members run on them) lived in per-thread arenas, whose heaps glibc trims on
// every free. In a 6-step, 512-atom NVT run of the three-member committee on two threads that
// cost 13–17 s of system time and 4.7 M page faults; with one arena 1.7–2.7 s and 0.3–0.9 M, and
// 26 s of wall time instead of 37–41 s (docs/performance.md).
#if os(Linux)
@_silgen_name("mallopt") func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
_ = glibcMallopt(-3, 1 << 30)  // M_MMAP_THRESHOLD
_ = glibcMallopt(-1, 1 << 30)  // M_TRIM_THRESHOLD
_ = glibcMallopt(-8, 1)        // M_ARENA_MAX
#endif

SpinMultiNetPotential.register()
SpinMDCommand.main()
