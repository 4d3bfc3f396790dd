import SpinMDCore

extension ModelConfiguration {
    /// Ranges of the integer hyper-parameters, for a configuration read from an input and from a
    /// model file alike (l_max ≥ 1: the model needs the l = 1 moment block).
    static let channelRange = 1...512
    static let lMaxRange = 1...4
    static let layerRange = 1...10
    static let radialBasisRange = 1...64
    static let momentBasisRange = 2...64
    static let hiddenRange = 1...1024
    /// Largest cutoff [Å] (as the Lennard-Jones potential's; machine-learned potentials use 4–7 Å).
    static let maximumCutoff = 40.0

    /// The first hyper-parameter that no model can have, as "key 'name' …" with the key as a
    /// model file stores it; nil when every one is valid. Checks: species non-empty, known and
    /// distinct; one finite reference energy [eV] per species; cutoff [Å], moment range [μB] and
    /// average neighbour count finite and > 0, the cutoff at most 40 Å; integer sizes within their ranges.
    public var invalidHyperParameter: String? {
        if species.isEmpty { return "key 'species' is empty; a model needs at least one element" }
        if let z = species.first(where: { Element(atomicNumber: $0) == nil }) { return "key 'species' holds \(z), which is no known atomic number" }
        if Set(species).count != species.count { return "key 'species' names an element twice: \(species)" }
        if referenceEnergies.count != species.count {
            return "key 'referenceEnergies' holds \(referenceEnergies.count) energies for \(species.count) species; one per species is needed"
        }
        if let k = referenceEnergies.firstIndex(where: { !$0.isFinite }) { return "key 'referenceEnergies' holds \(referenceEnergies[k]) at position \(k + 1); expected finite energies [eV]" }
        for (key, value) in [("cutoff", cutoff), ("momentRange", momentRange), ("averageNeighbors", averageNeighbors)] where !(value.isFinite && value > 0) {
            return "key '\(key)' is \(value); expected a finite number > 0"
        }
        if cutoff > Self.maximumCutoff { return "key 'cutoff' is \(cutoff) Å; a model's cutoff may be at most \(Self.maximumCutoff) Å" }
        let sizes = [("channels", channels, Self.channelRange), ("lMax", lMax, Self.lMaxRange), ("layers", layers, Self.layerRange),
                     ("radialBasis", radialBasis, Self.radialBasisRange), ("momentBasis", momentBasis, Self.momentBasisRange),
                     ("hidden", hidden, Self.hiddenRange)]
        for (key, value, range) in sizes where !range.contains(value) {
            return "key '\(key)' is \(value); expected an integer from \(range.lowerBound) to \(range.upperBound)"
        }
        return nil
    }
}
