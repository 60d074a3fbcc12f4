//! The meshed network as a graph: one edge per branch element, normally-open ties included.

use petgraph::graph::{NodeIndex, UnGraph};

use crate::model::{BusId, ElementRef, GridModel, SwitchId, SwitchMount};

/// Index of an edge in [`Network::edges`].
pub type EdgeIdx = u32;

/// A branch of the network graph.
#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    /// The element this edge is.
    pub element: ElementRef,
    /// One terminal.
    pub a: BusId,
    /// The other terminal.
    pub b: BusId,
    /// The switches that can break this edge: the switch itself, or the fuses and reclosers
    /// mounted on a line (at most two in practice; more are folded into the second).
    pub gates: [Option<SwitchId>; 2],
    /// False for an element out of service: never conducts.
    pub in_service: bool,
}

impl Edge {
    /// The terminal that is not `bus`.
    #[inline]
    pub fn other(&self, bus: BusId) -> BusId {
        if self.a == bus {
            self.b
        } else {
            self.a
        }
    }
}

/// The network graph (petgraph, for algorithms and export) plus a compressed adjacency for the
/// hot loops of the radial derivation.
#[derive(Clone, Debug)]
pub struct Network {
    /// Edges, one per branch element.
    pub edges: Vec<Edge>,
    /// petgraph view: node `i` is bus `i`, edge weight is the [`EdgeIdx`].
    pub graph: UnGraph<BusId, EdgeIdx>,
    adj_start: Vec<u32>,
    adj: Vec<(EdgeIdx, BusId)>,
    /// Edge of each switch (`None` for a switch on a line that is missing).
    pub switch_edge: Vec<Option<EdgeIdx>>,
    /// Edge of each line, transformer and LV line.
    pub line_edge: Vec<EdgeIdx>,
    /// Edge of each transformer.
    pub transformer_edge: Vec<EdgeIdx>,
    /// Edge of each LV line.
    pub lv_line_edge: Vec<EdgeIdx>,
}

impl Network {
    /// Builds the graph of a model. Self-loops (both terminals on one bus) are kept as edges
    /// but never conduct anywhere new.
    pub fn build(model: &GridModel) -> Network {
        let mut edges: Vec<Edge> = Vec::with_capacity(
            model.lines.len()
                + model.switches.len()
                + model.transformers.len()
                + model.lv_lines.len(),
        );
        // An edge with no switch of its own; returns its index.
        fn push_plain(
            edges: &mut Vec<Edge>,
            element: ElementRef,
            a: BusId,
            b: BusId,
            in_service: bool,
        ) -> EdgeIdx {
            edges.push(Edge { element, a, b, gates: [None, None], in_service });
            edges.len() as EdgeIdx - 1
        }
        let line_edge: Vec<EdgeIdx> = (0..model.lines.len())
            .map(|i| {
                let l = &model.lines[i];
                push_plain(
                    &mut edges,
                    ElementRef::Line(crate::model::LineId(i as u32)),
                    l.from,
                    l.to,
                    l.in_service,
                )
            })
            .collect();
        let mut switch_edge = vec![None; model.switches.len()];
        for (i, s) in model.switches.iter().enumerate() {
            let id = SwitchId(i as u32);
            match s.mount {
                SwitchMount::Terminals { from, to } => {
                    switch_edge[i] = Some(edges.len() as EdgeIdx);
                    edges.push(Edge {
                        element: ElementRef::Switch(id),
                        a: from,
                        b: to,
                        gates: [Some(id), None],
                        in_service: true,
                    });
                }
                SwitchMount::OnLine(line) => {
                    if let Some(&e) = line_edge.get(line.index()) {
                        let gates = &mut edges[e as usize].gates;
                        if gates[0].is_none() {
                            gates[0] = Some(id);
                        } else {
                            gates[1] = Some(id);
                        }
                        switch_edge[i] = Some(e);
                    }
                }
            }
        }
        let transformer_edge: Vec<EdgeIdx> = (0..model.transformers.len())
            .map(|i| {
                let t = &model.transformers[i];
                let el = ElementRef::Transformer(crate::model::TransformerId(i as u32));
                push_plain(&mut edges, el, t.hv_bus, t.lv_bus, true)
            })
            .collect();
        let lv_line_edge: Vec<EdgeIdx> = (0..model.lv_lines.len())
            .map(|i| {
                let l = &model.lv_lines[i];
                push_plain(
                    &mut edges,
                    ElementRef::LvLine(crate::model::LvLineId(i as u32)),
                    l.from,
                    l.to,
                    true,
                )
            })
            .collect();

        let n = model.buses.len();
        let mut graph = UnGraph::with_capacity(n, edges.len());
        for i in 0..n {
            graph.add_node(BusId(i as u32));
        }
        for (i, e) in edges.iter().enumerate() {
            graph.add_edge(NodeIndex::new(e.a.index()), NodeIndex::new(e.b.index()), i as EdgeIdx);
        }

        // Compressed adjacency, neighbours in edge order (deterministic DFS order).
        let mut degree = vec![0u32; n + 1];
        for e in &edges {
            degree[e.a.index()] += 1;
            if e.b != e.a {
                degree[e.b.index()] += 1;
            }
        }
        let mut adj_start = vec![0u32; n + 1];
        for i in 0..n {
            adj_start[i + 1] = adj_start[i] + degree[i];
        }
        let mut fill = adj_start.clone();
        let mut adj = vec![(0, BusId(0)); adj_start[n] as usize];
        for (i, e) in edges.iter().enumerate() {
            adj[fill[e.a.index()] as usize] = (i as EdgeIdx, e.b);
            fill[e.a.index()] += 1;
            if e.b != e.a {
                adj[fill[e.b.index()] as usize] = (i as EdgeIdx, e.a);
                fill[e.b.index()] += 1;
            }
        }
        Network {
            edges,
            graph,
            adj_start,
            adj,
            switch_edge,
            line_edge,
            transformer_edge,
            lv_line_edge,
        }
    }

    /// Number of buses.
    pub fn bus_count(&self) -> usize {
        self.adj_start.len() - 1
    }

    /// The edges at a bus with the bus at their other end.
    #[inline]
    pub fn neighbours(&self, bus: BusId) -> &[(EdgeIdx, BusId)] {
        let i = bus.index();
        &self.adj[self.adj_start[i] as usize..self.adj_start[i + 1] as usize]
    }

    /// The edge of a branch element.
    pub fn edge_of(&self, element: ElementRef) -> Option<EdgeIdx> {
        match element {
            ElementRef::Line(id) => self.line_edge.get(id.index()).copied(),
            ElementRef::Switch(id) => self.switch_edge.get(id.index()).copied().flatten(),
            ElementRef::Transformer(id) => self.transformer_edge.get(id.index()).copied(),
            ElementRef::LvLine(id) => self.lv_line_edge.get(id.index()).copied(),
        }
    }
}
