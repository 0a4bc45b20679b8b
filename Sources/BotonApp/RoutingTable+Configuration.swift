public import BotonGeo
public import BotonRuntime

extension RoutingTable {
    /// The routing table with the `territory.*` settings.
    public convenience init(territory: Territory, configuration: Configuration.Territory) {
        self.init(territory: territory, fallbackRadiusMeters: configuration.fallbackRadiusMeters,
                  centralCode: configuration.centralCode, centralName: configuration.centralName)
    }
}
