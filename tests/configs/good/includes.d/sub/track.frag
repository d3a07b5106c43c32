track_interface {
    eth2
}
