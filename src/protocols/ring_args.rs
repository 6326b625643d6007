//! The options of the bounded-buffer mode (`--items`, `--buffer-size`, `--sync`, `--show`,
//! `--delay`), shared by shmpthreadcon, shmproducer and shmconsumer, and how a controller
//! passes them on to its children.

#[derive(clap::Args, Debug, Clone)]
pub struct RingArgs {
    /// Pass N numbered items through the slides' bounded buffer instead of one message
    #[arg(long, allow_negative_numbers = true, value_parser = crate::units::count)]
    pub items: Option<u64>,
    /// BUFFER_SIZE: slots in the circular array (it holds at most BUFFER_SIZE-1 items)
    #[arg(long, allow_negative_numbers = true, default_value_t = 10, value_parser = crate::units::buffer_size)]
    pub buffer_size: u32,
    /// How producer and consumer wait on the buffer
    #[arg(long, value_enum, default_value_t)]
    pub sync: RingSync,
    /// Draw the buffer as it changes: slots, in, out, fill, who waits (the consumer draws)
    #[arg(long)]
    pub show: bool,
    /// Pause this long after each item taken (the consumer), e.g. 300ms, so a class can follow
    #[arg(long, value_parser = crate::units::interval)]
    pub delay: Option<std::time::Duration>,
    /// Pause this long after each item put (the producer)
    #[arg(long, value_parser = crate::units::interval)]
    pub producer_delay: Option<std::time::Duration>,
}

impl RingArgs {
    /// Arguments to forward to the children.
    pub fn forward(&self) -> Vec<String> {
        let mut v = Vec::new();
        if let Some(n) = self.items {
            v.extend([
                "--items".into(),
                n.to_string(),
                "--buffer-size".into(),
                self.buffer_size.to_string(),
            ]);
            if self.sync == RingSync::Sem {
                v.extend(["--sync".into(), "sem".into()]);
            }
            if self.show {
                v.push("--show".into());
            }
            for (flag, d) in [
                ("--delay", self.delay),
                ("--producer-delay", self.producer_delay),
            ] {
                if let Some(d) = d {
                    v.extend([flag.into(), format!("{}ms", d.as_millis())]);
                }
            }
        }
        v
    }
}

/// How the two sides wait.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RingSync {
    /// The slide's busy-wait on in/out (atomics, with a yield)
    #[default]
    Spin,
    /// Process-shared semaphores counting empty and full slots
    Sem,
}
