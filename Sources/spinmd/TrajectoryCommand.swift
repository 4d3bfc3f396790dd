import ArgumentParser
import Foundation
import SpinMD
import SpinMDCore

/// `spinmd trajectory info|convert`: get data out of AMBER NetCDF files without Python.
struct Trajectory: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inspect or convert AMBER NetCDF trajectories and restarts.",
        subcommands: [Info.self, Convert.self])

    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print frames, atoms, time span, cell and variables of a NetCDF file.")
        @Argument(help: "AMBER NetCDF trajectory (.nc) or restart (.ncrst).") var file: String

        func run() throws {
            try ExitStatus.reporting {
                let r = try AmberTrajectoryReader(path: file)
                print("\(file): \(r.conventions == "AMBERRESTART" ? "AMBER restart" : "AMBER trajectory")")
                print("atoms: \(r.atomCount)" + (r.species.map { "  (" + AtomicSystem.formula(of: $0) + ")" } ?? ""))
                print("frames: \(r.frameCount)")
                guard r.frameCount > 0 else { return }
                let first = try r.frame(0), last = try r.frame(r.frameCount - 1)
                if let t0 = first.time, let t1 = last.time {
                    print(String(format: "time: %.6g – %.6g ps", t0 / 1000, t1 / 1000))
                }
                for (name, f) in [("first", first), ("last", last)] {
                    if let c = f.cell {
                        let l = c.lengths, a = c.anglesDegrees
                        print(String(format: "cell (%@ frame): a = %.5f, b = %.5f, c = %.5f Å; α = %.3f, β = %.3f, γ = %.3f°; V = %.4f Å³",
                                     name, l.x, l.y, l.z, a.x, a.y, a.z, c.volume))
                    }
                }
                let extras = [("velocities", first.velocities != nil), ("forces", first.forces != nil),
                              ("magnetic moments", first.magneticMoments != nil), ("per-atom energies", first.atomicEnergies != nil)]
                print("also holds: " + (extras.filter(\.1).map(\.0).joined(separator: ", ").nilIfEmpty ?? "nothing beyond coordinates and cell"))
            }
        }
    }

    struct Convert: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Convert between AMBER NetCDF (.nc, .ncrst) and extended XYZ (.extxyz, .xyz), by extension.",
            discussion: """
            NetCDF → extxyz exports frames for ASE and other tools. extxyz → NetCDF writes an AMBER trajectory \
            (with velocities, forces [kcal/mol/Å] and magnetic moments when the frames carry momenta, forces and \
            magmoms), e.g. to look at a DFT data set in OVITO or VMD, and its PDB topology beside it (data.nc → \
            data.pdb) for the readers that take elements from a topology.
            """)
        @Argument(help: "Input file.") var file: String
        @Argument(help: "Output file.") var output: String
        @Option(help: "Frames as start:stop[:step] (Python slice, stop exclusive; negative counts from the end), or one index. Default: all.")
        var frames: String?
        @Flag(help: "Replace the output file if it exists.") var overwrite = false

        static let netCDFExtensions = [".nc", ".ncrst", ".netcdf", ".ncdf", ".rst7"]
        static let extXYZExtensions = [".extxyz", ".xyz"]
        static func isNetCDF(_ path: String) -> Bool { netCDFExtensions.contains { path.lowercased().hasSuffix($0) } }
        static func isExtXYZ(_ path: String) -> Bool { extXYZExtensions.contains { path.lowercased().hasSuffix($0) } }

        /// Refuses a file whose extension names a format convert does not read or write (e.g.
        /// .pdb, .dcd, .lammpstrj), rather than writing extended XYZ under that name.
        static func checkExtension(_ path: String, role: String) throws {
            guard !isNetCDF(path) && !isExtXYZ(path) else { return }
            let ext = (path as NSString).pathExtension
            throw SpinMDError.invalidInput(location: "spinmd trajectory convert",
                                           message: "\(role) '\(path)'\(ext.isEmpty ? " has no extension" : " is a .\(ext) file"); convert reads and writes AMBER NetCDF (\(netCDFExtensions.joined(separator: ", "))) and extended XYZ (\(extXYZExtensions.joined(separator: ", "))) only")
        }

        func run() throws {
            try ExitStatus.reporting {
                try Self.checkExtension(file, role: "input")
                try Self.checkExtension(output, role: "output")
                let outputs = Self.isNetCDF(output) ? [output, PDBTopology.fileName(forTrajectory: output)] : [output]
                if !overwrite, let existing = outputs.first(where: { FileManager.default.fileExists(atPath: $0) }) {
                    throw SpinMDError.io(path: existing, message: "exists; pass --overwrite to replace it")
                }
                switch (Self.isNetCDF(file), Self.isNetCDF(output)) {
                case (true, false): try netCDFToExtXYZ()
                case (false, true): try extXYZToNetCDF()
                default: throw SpinMDError.invalidInput(location: "spinmd trajectory convert", message: "converts .nc ↔ .extxyz; got '\(file)' → '\(output)'")
                }
            }
        }

        func netCDFToExtXYZ() throws {
            let r = try AmberTrajectoryReader(path: file)
            let indices = try Self.select(frames, count: r.frameCount)
            var text: [UInt8] = []
            for k in indices {
                let f = try r.frame(k)
                var s = try r.system(k)
                if let v = f.velocities { s.velocities = v }
                var result: PotentialResult?
                if f.forces != nil || f.magneticMoments != nil || f.atomicEnergies != nil {
                    // Without per-atom energies the energy is unknown: NaN here, omitted from the frame.
                    result = PotentialResult(energy: f.atomicEnergies?.reduce(0, +) ?? .nan, forces: f.forces,
                                             atomicEnergies: f.atomicEnergies, magneticMoments: f.magneticMoments)
                }
                let snapshot = Snapshot(task: .md, step: k, totalSteps: r.frameCount, time: f.time ?? 0, system: s,
                                        result: result ?? PotentialResult(energy: 0), extendedEnergy: 0)
                if let bad = snapshot.firstNonFinite([.cell, .positions, .velocities, .results]) {
                    throw SpinMDError.io(path: file, message: "frame \(k): its \(bad) is not finite; refusing to write it to \(output)")
                }
                var extra = [("frame", "\(k)")]
                if let t = f.time { extra.append(("time_fs", String(format: "%.6f", t))) }
                text += ExtendedXYZ.formatBytes(s, result: result, extra: extra)
            }
            try AtomicFile.write(text, to: output)
            print("wrote \(indices.count) frame\(indices.count == 1 ? "" : "s") of \(r.atomCount) atoms to \(output)")
        }

        func extXYZToNetCDF() throws {
            let all = try ExtendedXYZ.read(path: file)
            let indices = try Self.select(frames, count: all.count)
            guard let first = indices.first.map({ all[$0] }) else { throw SpinMDError.io(path: file, message: "no frames selected") }
            func result(_ f: ExtendedXYZ.Frame) -> PotentialResult {
                var r = PotentialResult(energy: f.info["energy"].flatMap(Double.init) ?? .nan)
                r.forces = f.arrays["forces"]?.map { Vector3($0[0], $0[1], $0[2]) }
                if let m = f.arrays["magmoms"] {
                    r.magneticMoments = m[0].count == 3 ? .vector(m.map { Vector3($0[0], $0[1], $0[2]) }) : .collinear(m.map { $0[0] })
                }
                return r
            }
            if let k = indices.first(where: { all[$0].system.species != first.system.species }) {
                throw SpinMDError.io(path: file, message: "frame \(k) holds other atoms than frame \(indices[0]); one NetCDF file holds one system (select frames with --frames)")
            }
            let r0 = result(first)
            let content = AmberTrajectoryWriter.Content(
                velocities: first.system.velocities.contains { $0 != .zero }, forces: r0.forces != nil,
                magneticMomentWidth: r0.magneticMoments.map { if case .vector = $0 { return 3 } else { return 1 } } ?? 0)
            let title = "converted from \((file as NSString).lastPathComponent)"
            // The topology first: a system it cannot describe leaves no output.
            let topology = PDBTopology.fileName(forTrajectory: output)
            try PDBTopology.write(first.system, title: title, to: topology)
            let writer = try AmberTrajectoryWriter(creating: output, system: first.system, content: content, trigger: Trigger(every: 1),
                                                   overwrite: true, title: title)
            for (n, k) in indices.enumerated() {
                let f = all[k]
                let time = f.info["time_fs"].flatMap(Double.init) ?? Double(n)
                try writer.observe(Snapshot(task: .md, step: n, totalSteps: indices.count, time: time, system: f.system, result: result(f), extendedEnergy: 0))
            }
            try writer.close(status: "converted")
            print("wrote \(indices.count) frame\(indices.count == 1 ? "" : "s") of \(first.system.atomCount) atoms to \(output), its topology to \(topology)")
        }

        /// Frame indices from a Python-style slice or a single index.
        static func select(_ spec: String?, count: Int) throws -> [Int] {
            guard let spec else { return Array(0..<count) }
            func bad() -> SpinMDError { .invalidInput(location: "--frames", message: "expected start:stop[:step] or an index, got '\(spec)'") }
            let parts = spec.split(separator: ":", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            func index(_ s: String, _ fallback: Int) throws -> Int {
                if s.isEmpty { return fallback }
                guard let v = Int(s) else { throw bad() }
                return v < 0 ? max(0, count + v) : min(v, count)
            }
            if parts.count == 1 {
                guard let v = Int(parts[0]) else { throw bad() }
                let k = v < 0 ? count + v : v
                guard k >= 0 && k < count else { throw SpinMDError.invalidInput(location: "--frames", message: "frame \(v) does not exist (the file has \(count))") }
                return [k]
            }
            guard parts.count <= 3 else { throw bad() }
            let step = parts.count == 3 && !parts[2].isEmpty ? Int(parts[2]) : 1
            guard let step, step > 0 else { throw bad() }
            return Array(stride(from: try index(parts[0], 0), to: try index(parts[1], count), by: step))
        }
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
